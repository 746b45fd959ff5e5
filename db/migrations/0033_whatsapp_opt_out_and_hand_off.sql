CREATE TABLE `whatsapp_contacts` (
	`account_id` text NOT NULL,
	`phone_number_id` text NOT NULL,
	`contact_hash` text NOT NULL,
	`opted_out_at` integer,
	`paused_at` integer,
	`paused_by` text,
	`recipient_sealed` text,
	`last_inbound_at` integer,
	`reply_until` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`phone_number_id`, `contact_hash`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `whatsapp_contacts_account_idx` ON `whatsapp_contacts` (`account_id`,`paused_at`);--> statement-breakpoint
CREATE INDEX `whatsapp_contacts_reply_idx` ON `whatsapp_contacts` (`reply_until`);--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `stop_keywords` text;--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `start_keywords` text;--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `hand_off_keywords` text;--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `hand_off_webhook_url` text;--> statement-breakpoint
ALTER TABLE `whatsapp_connections` ADD `hand_off_webhook_secret_sealed` text;