ALTER TABLE `pushes` ADD `reprocessed_from` text;--> statement-breakpoint
CREATE INDEX `pushes_reprocessed_from_idx` ON `pushes` (`reprocessed_from`);--> statement-breakpoint
CREATE INDEX `calls_source_idx` ON `calls` (`source_id`);