CREATE TABLE `failure_counts` (
	`name` text PRIMARY KEY NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`last_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notice_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text,
	`to` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer NOT NULL,
	`last_error` text,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `notice_outbox_due_idx` ON `notice_outbox` (`sent_at`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notice_outbox_account_idx` ON `notice_outbox` (`account_id`);