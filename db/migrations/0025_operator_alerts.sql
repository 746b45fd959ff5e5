CREATE TABLE `operator_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`value` real NOT NULL,
	`threshold` real NOT NULL,
	`ran_at` integer NOT NULL,
	`changed_at` integer NOT NULL
);
