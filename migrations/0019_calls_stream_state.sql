CREATE TABLE `history_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`last_confirmed_at` integer,
	`invalid_rows` integer DEFAULT 0 NOT NULL,
	`streamed_from` integer,
	`moved_before` integer,
	`backfill_since` integer,
	`backfill_until` integer,
	`backfill_cursor` text
);
--> statement-breakpoint
ALTER TABLE `pushes` ADD `stream_state` integer;--> statement-breakpoint
CREATE INDEX `pushes_stream_pending_idx` ON `pushes` (`received_at`) WHERE stream_state = 0;