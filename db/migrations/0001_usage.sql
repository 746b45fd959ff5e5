CREATE TABLE `usage_events` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`key_id` text,
	`source` text NOT NULL,
	`endpoint` text NOT NULL,
	`model` text NOT NULL,
	`provider` text NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cost_micros` integer NOT NULL,
	`latency_ms` integer NOT NULL,
	`status` integer NOT NULL,
	`streamed` integer NOT NULL,
	`estimated` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_events_account_time_idx` ON `usage_events` (`account_id`,`created_at`);