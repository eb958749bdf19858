CREATE TABLE `rollup_starts` (
	`name` text PRIMARY KEY NOT NULL,
	`after_call_id` integer NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `task_cost_rollups` (
	`hour` integer NOT NULL,
	`source_id` text NOT NULL,
	`task_id` integer NOT NULL,
	`intent_code` text NOT NULL,
	`currency` text NOT NULL,
	`connected` integer NOT NULL,
	`calls` integer NOT NULL,
	`talk_seconds` integer NOT NULL,
	`charged_seconds` integer NOT NULL,
	`ai_charged_seconds` integer NOT NULL,
	`line_cost_micros` integer NOT NULL,
	`ai_cost_micros` integer NOT NULL,
	PRIMARY KEY(`hour`, `source_id`, `task_id`, `intent_code`, `currency`, `connected`)
);
--> statement-breakpoint
-- Bounded: filling task_cost_rollups from the calls already stored would read every call, so it is not done here.
-- The new rollup counts the calls stored from now on: those with an id above the highest one now (max over the
-- integer primary key: one index seek, not a scan).
INSERT INTO `rollup_starts` (`name`, `after_call_id`, `started_at`)
  VALUES ('task_cost_rollups', 0, CAST(unixepoch('subsec') * 1000 AS INTEGER));
--> statement-breakpoint
UPDATE `rollup_starts` SET `after_call_id` = coalesce((SELECT max(`id`) FROM `calls`), 0)
  WHERE `name` = 'task_cost_rollups';
--> statement-breakpoint
-- The calls stored before (if any) are counted by a background job, a bounded id range per chunk
-- (taskCostBackfillChunk in src/storage/call-rollups.ts).
INSERT INTO `jobs` (`name`, `status`, `created_at`, `updated_at`)
  SELECT 'task_cost_rollups_backfill', 'pending', CAST(unixepoch('subsec') * 1000 AS INTEGER),
    CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM `rollup_starts` WHERE `name` = 'task_cost_rollups' AND `after_call_id` > 0
  ON CONFLICT DO NOTHING;
