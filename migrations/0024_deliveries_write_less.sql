DROP INDEX `deliveries_created_idx`;--> statement-breakpoint
DROP INDEX `deliveries_destination_created_idx`;--> statement-breakpoint
DROP INDEX `deliveries_status_created_idx`;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `claimed_until` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `attempt_duration_ms` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `attempt_response` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `detail_key` text;--> statement-breakpoint
-- The delivery rollups are kept by a grouped statement in each batch that inserts deliveries or changes their status
-- (src/storage/delivery-rollups.ts), not by a trigger per row: the triggers wrote about three rollup rows per delivery.
DROP TRIGGER IF EXISTS `delivery_rollups_insert`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `delivery_rollups_update`;
