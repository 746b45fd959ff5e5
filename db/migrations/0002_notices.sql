CREATE TABLE `notices` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text,
	`to` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notices_account_idx` ON `notices` (`account_id`);--> statement-breakpoint
CREATE INDEX `notices_created_idx` ON `notices` (`created_at`);