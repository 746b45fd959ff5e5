CREATE TABLE `billing_accounts` (
	`account_id` text PRIMARY KEY NOT NULL,
	`stripe_customer_id` text,
	`subscription_id` text,
	`subscription_status` text,
	`subscription_price_id` text,
	`current_period_end` integer,
	`subscription_event_at` integer,
	`balance_micros` integer DEFAULT 0 NOT NULL,
	`low_balance_notified_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_accounts_stripe_customer_id_unique` ON `billing_accounts` (`stripe_customer_id`);--> statement-breakpoint
CREATE TABLE `billing_invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`number` text,
	`status` text NOT NULL,
	`amount_due_cents` integer NOT NULL,
	`amount_paid_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`hosted_invoice_url` text,
	`event_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `billing_invoices_account_idx` ON `billing_invoices` (`account_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `credit_holds` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`amount_micros` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `credit_holds_account_idx` ON `credit_holds` (`account_id`,`expires_at`);--> statement-breakpoint
CREATE TABLE `credit_ledger` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount_micros` integer NOT NULL,
	`reason` text NOT NULL,
	`reference` text NOT NULL,
	`payment_ref` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_ledger_reference_idx` ON `credit_ledger` (`account_id`,`kind`,`reference`);--> statement-breakpoint
CREATE INDEX `credit_ledger_account_time_idx` ON `credit_ledger` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `credit_ledger_payment_idx` ON `credit_ledger` (`payment_ref`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`created` integer NOT NULL,
	`received_at` integer NOT NULL
);
