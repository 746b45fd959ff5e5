CREATE TABLE `provider_keys` (
	`account_id` text NOT NULL,
	`provider` text NOT NULL,
	`sealed_key` text NOT NULL,
	`prefix` text NOT NULL,
	`allow_platform_fallback` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `provider`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `api_keys` ADD `data_policy` text DEFAULT 'any' NOT NULL;--> statement-breakpoint
ALTER TABLE `privacy_settings` ADD `data_policy` text DEFAULT 'any' NOT NULL;