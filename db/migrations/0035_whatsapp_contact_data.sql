CREATE TABLE `whatsapp_contact_erasures` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`contact_hash_sealed` text NOT NULL,
	`erased_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `whatsapp_contact_erasures_at_idx` ON `whatsapp_contact_erasures` (`erased_at`);--> statement-breakpoint
ALTER TABLE `whatsapp_messages` ADD `request_id` text;--> statement-breakpoint
ALTER TABLE `whatsapp_pending` ADD `contact_hash` text;--> statement-breakpoint
CREATE INDEX `whatsapp_pending_contact_idx` ON `whatsapp_pending` (`account_id`,`contact_hash`);--> statement-breakpoint
-- Backfill: an unanswered message's contact is on its metadata row (written in the same batch).
UPDATE `whatsapp_pending` SET `contact_hash` = (
	SELECT `contact_hash` FROM `whatsapp_messages` m
	WHERE m.`account_id` = `whatsapp_pending`.`account_id` AND m.`id` = `whatsapp_pending`.`message_id`
) WHERE `contact_hash` IS NULL;
