CREATE TABLE `whatsapp_number_events` (
	`account_id` text NOT NULL,
	`phone_number_id` text NOT NULL,
	`id` text NOT NULL,
	`field` text NOT NULL,
	`event` text NOT NULL,
	`summary` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`phone_number_id`, `id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `whatsapp_number_events_account_idx` ON `whatsapp_number_events` (`account_id`,`at`);--> statement-breakpoint
CREATE TABLE `whatsapp_templates` (
	`account_id` text NOT NULL,
	`phone_number_id` text NOT NULL,
	`template_id` text NOT NULL,
	`name` text NOT NULL,
	`language` text NOT NULL,
	`status` text NOT NULL,
	`category` text,
	`body_template` text,
	`placeholders` text NOT NULL,
	`usable` integer NOT NULL,
	`reason` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`phone_number_id`, `name`, `language`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `whatsapp_templates_account_idx` ON `whatsapp_templates` (`account_id`);--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `fallback_template` text;--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `fallback_language` text;--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `fallback_parameters` text;--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `templates_synced_at` integer;--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `templates_sync_error` text;--> statement-breakpoint
ALTER TABLE `whatsapp_messages` ADD `template` text;--> statement-breakpoint
ALTER TABLE `whatsapp_pending` ADD `profile_name_sealed` text;