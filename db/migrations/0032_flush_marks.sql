ALTER TABLE `accounts` ADD `usage_flushed_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `credit_flushed_seq` integer DEFAULT 0 NOT NULL;