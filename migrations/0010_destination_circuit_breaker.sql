ALTER TABLE `destinations` ADD `circuit` text DEFAULT 'closed' NOT NULL;--> statement-breakpoint
ALTER TABLE `destinations` ADD `fail_streak` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `destinations` ADD `circuit_trips` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `destinations` ADD `open_until` integer;--> statement-breakpoint
ALTER TABLE `destinations` ADD `slow` integer DEFAULT false NOT NULL;