CREATE TABLE `destinations_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
