DROP INDEX `calls_connected_idx`;--> statement-breakpoint
DROP INDEX `calls_source_idx`;--> statement-breakpoint
ALTER TABLE `calls` DROP COLUMN `raw`;