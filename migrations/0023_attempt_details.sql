ALTER TABLE `delivery_attempts` ADD `wait_reason` text;--> statement-breakpoint
ALTER TABLE `delivery_attempts` ADD `next_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `delivery_attempts` ADD `detail_key` text;