ALTER TABLE `accounts` ADD `restricted_at` integer;--> statement-breakpoint
ALTER TABLE `privacy_requests` ADD `answer` text;