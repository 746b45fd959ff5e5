CREATE TABLE `usage_flushes` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_flushes_time_idx` ON `usage_flushes` (`created_at`);