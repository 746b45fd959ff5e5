CREATE TABLE `consent_events` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`setting` text NOT NULL,
	`old_value` integer NOT NULL,
	`new_value` integer NOT NULL,
	`policy_version` text NOT NULL,
	`channel` text NOT NULL,
	`at` integer NOT NULL,
	`seq` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `consent_events_account_idx` ON `consent_events` (`account_id`,`setting`,`at`);--> statement-breakpoint
CREATE TABLE `privacy_settings` (
	`account_id` text PRIMARY KEY NOT NULL,
	`content_logging` integer NOT NULL,
	`retention_days` integer NOT NULL,
	`training_consent` integer NOT NULL,
	`notices` integer NOT NULL,
	`data_key_kek` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
