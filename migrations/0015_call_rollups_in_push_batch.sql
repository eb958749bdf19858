-- The call and task rollups are kept by grouped statements in each push's batch (src/stats/call-rollups.ts), a row
-- per rollup key a push touches instead of two upserts per call: the per-row triggers go. Counts are unchanged.
DROP TRIGGER IF EXISTS call_rollups_insert;
--> statement-breakpoint
DROP TRIGGER IF EXISTS call_rollups_update;
--> statement-breakpoint
DROP TRIGGER IF EXISTS task_rollups_update;
