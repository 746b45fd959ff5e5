ALTER TABLE `usage_events` ADD `cached_input_tokens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `cache_write_tokens` integer DEFAULT 0 NOT NULL;