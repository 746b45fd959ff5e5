CREATE TABLE `catalogue_overrides` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model_id` text NOT NULL,
	`effective_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`kind` text,
	`upstream` text,
	`context_tokens` integer,
	`max_output_tokens` integer,
	`capabilities` text,
	`price_input` text,
	`price_output` text,
	`price_cached_input` text,
	`price_cache_write` text
);
--> statement-breakpoint
CREATE INDEX `catalogue_overrides_model_idx` ON `catalogue_overrides` (`model_id`,`effective_at`);
--> statement-breakpoint
-- Never retroactive: a change is a new row with its own effective time, never a rewrite of an old one.
CREATE TRIGGER `catalogue_overrides_no_update` BEFORE UPDATE ON `catalogue_overrides`
BEGIN
	SELECT RAISE(ABORT, 'catalogue_overrides is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `catalogue_overrides_no_delete` BEFORE DELETE ON `catalogue_overrides`
BEGIN
	SELECT RAISE(ABORT, 'catalogue_overrides is append-only');
END;
