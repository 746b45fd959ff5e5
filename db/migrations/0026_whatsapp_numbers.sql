PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_whatsapp_connections` (
	`phone_number_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`waba_id` text NOT NULL,
	`access_token_sealed` text NOT NULL,
	`app_secret_sealed` text NOT NULL,
	`verify_token_hash` text NOT NULL,
	`model` text NOT NULL,
	`system_prompt` text DEFAULT '' NOT NULL,
	`non_text_messages` text DEFAULT 'reply' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_received_at` integer,
	`last_reply_at` integer,
	`last_error_at` integer,
	`last_error` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_whatsapp_connections`("phone_number_id", "account_id", "waba_id", "access_token_sealed", "app_secret_sealed", "verify_token_hash", "model", "system_prompt", "non_text_messages", "created_at", "updated_at", "last_received_at", "last_reply_at", "last_error_at", "last_error") SELECT "phone_number_id", "account_id", "waba_id", "access_token_sealed", "app_secret_sealed", "verify_token_hash", "model", "system_prompt", "non_text_messages", "created_at", "updated_at", "last_received_at", "last_reply_at", "last_error_at", "last_error" FROM `whatsapp_connections`;--> statement-breakpoint
DROP TABLE `whatsapp_connections`;--> statement-breakpoint
ALTER TABLE `__new_whatsapp_connections` RENAME TO `whatsapp_connections`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `whatsapp_connections_verify_idx` ON `whatsapp_connections` (`verify_token_hash`);--> statement-breakpoint
CREATE INDEX `whatsapp_connections_account_idx` ON `whatsapp_connections` (`account_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `whatsapp_context` ADD `phone_number_id` text;--> statement-breakpoint
ALTER TABLE `whatsapp_messages` ADD `phone_number_id` text;--> statement-breakpoint
CREATE INDEX `whatsapp_messages_number_idx` ON `whatsapp_messages` (`account_id`,`phone_number_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `whatsapp_pending` ADD `media_sealed` text;--> statement-breakpoint
ALTER TABLE `whatsapp_pending` ADD `quoted_id` text;--> statement-breakpoint
UPDATE `whatsapp_messages` SET `phone_number_id` = (SELECT `c`.`phone_number_id` FROM `whatsapp_connections` `c` WHERE `c`.`account_id` = `whatsapp_messages`.`account_id`) WHERE `phone_number_id` IS NULL;--> statement-breakpoint
UPDATE `whatsapp_context` SET `phone_number_id` = (SELECT `c`.`phone_number_id` FROM `whatsapp_connections` `c` WHERE `c`.`account_id` = `whatsapp_context`.`account_id`) WHERE `phone_number_id` IS NULL;
