CREATE TABLE `call_rollups` (
	`hour` integer NOT NULL,
	`source_id` text NOT NULL,
	`intent_code` text NOT NULL,
	`intent` text NOT NULL,
	`call_status_new` integer NOT NULL,
	`call_description` integer NOT NULL,
	`calls` integer NOT NULL,
	`connected` integer NOT NULL,
	PRIMARY KEY(`hour`, `source_id`, `intent_code`, `intent`, `call_status_new`, `call_description`)
);
--> statement-breakpoint
CREATE TABLE `delivery_rollups` (
	`hour` integer NOT NULL,
	`destination_id` text NOT NULL,
	`source_id` text NOT NULL,
	`status` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`hour`, `destination_id`, `source_id`, `status`)
);
--> statement-breakpoint
CREATE TABLE `push_rollups` (
	`hour` integer NOT NULL,
	`source_id` text NOT NULL,
	`pushes` integer NOT NULL,
	`records` integer NOT NULL,
	`rejected` integer NOT NULL,
	PRIMARY KEY(`hour`, `source_id`)
);
--> statement-breakpoint
CREATE TABLE `storage_usage` (
	`id` integer PRIMARY KEY NOT NULL,
	`bytes` integer NOT NULL,
	`measured_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `task_rollups` (
	`hour` integer NOT NULL,
	`source_id` text NOT NULL,
	`task_id` integer NOT NULL,
	`calls` integer NOT NULL,
	`connected` integer NOT NULL,
	PRIMARY KEY(`hour`, `source_id`, `task_id`)
);
--> statement-breakpoint
ALTER TABLE `calls` ADD `call_at` integer GENERATED ALWAYS AS (coalesce(call_time, submit_time, received_at)) VIRTUAL;--> statement-breakpoint
ALTER TABLE `calls` ADD `callee_key` text GENERATED ALWAYS AS (replace(replace(replace(replace(replace((substr(callee, 32, 1) || substr(callee, 31, 1) || substr(callee, 30, 1) || substr(callee, 29, 1) || substr(callee, 28, 1) || substr(callee, 27, 1) || substr(callee, 26, 1) || substr(callee, 25, 1) || substr(callee, 24, 1) || substr(callee, 23, 1) || substr(callee, 22, 1) || substr(callee, 21, 1) || substr(callee, 20, 1) || substr(callee, 19, 1) || substr(callee, 18, 1) || substr(callee, 17, 1) || substr(callee, 16, 1) || substr(callee, 15, 1) || substr(callee, 14, 1) || substr(callee, 13, 1) || substr(callee, 12, 1) || substr(callee, 11, 1) || substr(callee, 10, 1) || substr(callee, 9, 1) || substr(callee, 8, 1) || substr(callee, 7, 1) || substr(callee, 6, 1) || substr(callee, 5, 1) || substr(callee, 4, 1) || substr(callee, 3, 1) || substr(callee, 2, 1) || substr(callee, 1, 1)), '+', ''), ' ', ''), '-', ''), '(', ''), ')', '')) VIRTUAL;--> statement-breakpoint
CREATE INDEX `calls_call_at_idx` ON `calls` (`call_at`);--> statement-breakpoint
CREATE INDEX `calls_callee_key_idx` ON `calls` (`callee_key`);