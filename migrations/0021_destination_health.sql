CREATE TABLE `destination_health` (
	`destination_id` text NOT NULL,
	`hour` integer NOT NULL,
	`delivered` integer NOT NULL,
	`failed` integer NOT NULL,
	`retried` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`lat0` integer NOT NULL,
	`lat1` integer NOT NULL,
	`lat2` integer NOT NULL,
	`lat3` integer NOT NULL,
	`lat4` integer NOT NULL,
	`lat5` integer NOT NULL,
	`lat6` integer NOT NULL,
	`lat7` integer NOT NULL,
	`lat8` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`destination_id`, `hour`)
);
