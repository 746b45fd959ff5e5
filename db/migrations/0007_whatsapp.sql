CREATE TABLE `whatsapp_connections` (
	`account_id` text PRIMARY KEY NOT NULL,
	`phone_number_id` text NOT NULL,
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
CREATE UNIQUE INDEX `whatsapp_connections_phone_number_id_unique` ON `whatsapp_connections` (`phone_number_id`);--> statement-breakpoint
CREATE INDEX `whatsapp_connections_verify_idx` ON `whatsapp_connections` (`verify_token_hash`);--> statement-breakpoint
CREATE TABLE `whatsapp_context` (
	`account_id` text NOT NULL,
	`message_id` text NOT NULL,
	`contact_hash` text NOT NULL,
	`role` text NOT NULL,
	`body_sealed` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `message_id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `whatsapp_context_contact_idx` ON `whatsapp_context` (`account_id`,`contact_hash`,`created_at`);--> statement-breakpoint
CREATE INDEX `whatsapp_context_expires_idx` ON `whatsapp_context` (`expires_at`);--> statement-breakpoint
CREATE TABLE `whatsapp_messages` (
	`account_id` text NOT NULL,
	`id` text NOT NULL,
	`direction` text NOT NULL,
	`type` text NOT NULL,
	`contact_hash` text NOT NULL,
	`status` text NOT NULL,
	`sent_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`lease_until` integer,
	`related_id` text,
	`error` text,
	PRIMARY KEY(`account_id`, `id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `whatsapp_messages_contact_idx` ON `whatsapp_messages` (`account_id`,`contact_hash`,`direction`,`sent_at`);--> statement-breakpoint
CREATE INDEX `whatsapp_messages_due_idx` ON `whatsapp_messages` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `whatsapp_messages_created_idx` ON `whatsapp_messages` (`account_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `whatsapp_pending` (
	`account_id` text NOT NULL,
	`message_id` text NOT NULL,
	`recipient_sealed` text NOT NULL,
	`body_sealed` text,
	`reply_sealed` text,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `message_id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `whatsapp_pending_expires_idx` ON `whatsapp_pending` (`expires_at`);