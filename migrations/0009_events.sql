CREATE TABLE `event_claims` (
	`key` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`claimed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `event_claims_claimed_idx` ON `event_claims` (`claimed_at`);--> statement-breakpoint
CREATE TABLE `event_gates` (
	`key` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`window_ms` integer NOT NULL,
	`sent_at` integer NOT NULL,
	`pending` integer NOT NULL,
	`last_data` text,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `event_gates_due_idx` ON `event_gates` (`pending`,`sent_at`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`source_id` text,
	`destination_id` text,
	`data` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_created_idx` ON `events` (`created_at`);--> statement-breakpoint
ALTER TABLE `deliveries` ADD `event_id` text;--> statement-breakpoint
ALTER TABLE `destinations` ADD `events` text DEFAULT '["call.reported"]' NOT NULL;