ALTER TABLE `whatsapp_pending` ADD `media_sealed` text;--> statement-breakpoint
ALTER TABLE `whatsapp_pending` ADD `quoted_id` text;