CREATE TABLE `calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source_id` text NOT NULL,
	`voice_id` text NOT NULL,
	`type` integer,
	`callee` text,
	`display_num` text,
	`submit_time` integer,
	`call_time` integer,
	`ringing_time` integer,
	`answer_time` integer,
	`hangup_time` integer,
	`bill_period` text,
	`code` text,
	`recording_file_id` text,
	`recording_file_url` text,
	`ring_duration` integer,
	`call_duration` integer,
	`charged_duration` integer,
	`currency` text,
	`quote_exchange` text,
	`rate` text,
	`cost` text,
	`cost_eur` text,
	`settle_rate` text,
	`settle_pay` text,
	`ai_agent_charged_duration` integer,
	`ai_agent_bill_period` text,
	`ai_agent_rate` text,
	`ai_agent_fee` text,
	`ai_agent_quote_rate` text,
	`ai_agent_quote_fee` text,
	`termination_code` text,
	`termination_reason` text,
	`sip_code` text,
	`called_info` text,
	`script_id` integer,
	`intent` text,
	`intent_code` text,
	`task_id` integer,
	`source_task_id` integer,
	`call_status` integer,
	`call_status_new` integer,
	`call_description` integer,
	`connected` integer NOT NULL,
	`call_status_label` text,
	`call_description_label` text,
	`received_at` integer NOT NULL,
	`push_id` text NOT NULL,
	`raw` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calls_source_voice_uq` ON `calls` (`source_id`,`voice_id`);--> statement-breakpoint
CREATE INDEX `calls_received_at_idx` ON `calls` (`received_at`);--> statement-breakpoint
CREATE INDEX `calls_task_idx` ON `calls` (`task_id`);--> statement-breakpoint
CREATE INDEX `calls_intent_code_idx` ON `calls` (`intent_code`);--> statement-breakpoint
CREATE INDEX `calls_connected_idx` ON `calls` (`connected`,`received_at`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`destination_id` text NOT NULL,
	`source_id` text NOT NULL,
	`voice_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`lease_until` integer,
	`last_status_code` integer,
	`last_error` text,
	`delivered_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_dest_source_voice_uq` ON `deliveries` (`destination_id`,`source_id`,`voice_id`);--> statement-breakpoint
CREATE INDEX `deliveries_status_idx` ON `deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `deliveries_call_idx` ON `deliveries` (`source_id`,`voice_id`);--> statement-breakpoint
CREATE INDEX `deliveries_created_idx` ON `deliveries` (`created_at`);--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` text NOT NULL,
	`attempted_at` integer NOT NULL,
	`status_code` integer,
	`duration_ms` integer NOT NULL,
	`outcome` text NOT NULL,
	`error` text,
	`response_body` text
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_delivery_idx` ON `delivery_attempts` (`delivery_id`,`attempted_at`);--> statement-breakpoint
CREATE TABLE `destinations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`config` text NOT NULL,
	`filter` text NOT NULL,
	`source_ids` text NOT NULL,
	`options` text NOT NULL,
	`enabled` integer NOT NULL,
	`disabled_reason` text,
	`previous_secret` text,
	`previous_secret_expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `push_bodies` (
	`push_id` text NOT NULL,
	`seq` integer NOT NULL,
	`chunk` text NOT NULL,
	PRIMARY KEY(`push_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `pushes` (
	`id` text PRIMARY KEY NOT NULL,
	`source_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`status` text NOT NULL,
	`content_type` text,
	`bytes` integer NOT NULL,
	`records` integer DEFAULT 0 NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`rejected_count` integer DEFAULT 0 NOT NULL,
	`rejected` text DEFAULT '[]' NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `pushes_received_at_idx` ON `pushes` (`received_at`);--> statement-breakpoint
CREATE INDEX `pushes_source_idx` ON `pushes` (`source_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_name_unique` ON `sources` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `sources_token_hash_unique` ON `sources` (`token_hash`);