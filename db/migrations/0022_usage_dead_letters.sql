CREATE TABLE `usage_dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`rows` integer NOT NULL,
	`cost_micros` integer NOT NULL,
	`first_row_at` integer NOT NULL,
	`dead_at` integer NOT NULL
);
