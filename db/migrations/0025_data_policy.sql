ALTER TABLE `api_keys` ADD `data_policy` text DEFAULT 'any' NOT NULL;--> statement-breakpoint
ALTER TABLE `privacy_settings` ADD `data_policy` text DEFAULT 'any' NOT NULL;