DROP INDEX `calls_task_idx`;--> statement-breakpoint
DROP INDEX `calls_intent_code_idx`;