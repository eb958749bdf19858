ALTER TABLE `calls` ADD `extra` text;--> statement-breakpoint
ALTER TABLE `pushes` ADD `archive_key` text;