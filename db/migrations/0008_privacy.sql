CREATE TABLE `privacy_audit` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`request_id` text,
	`subject` text NOT NULL,
	`actor` text NOT NULL,
	`actor_ref` text,
	`action` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `privacy_audit_subject_idx` ON `privacy_audit` (`subject`,`at`);--> statement-breakpoint
CREATE INDEX `privacy_audit_request_idx` ON `privacy_audit` (`request_id`);--> statement-breakpoint
CREATE TABLE `privacy_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text,
	`subject` text NOT NULL,
	`type` text NOT NULL,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`note` text,
	`received_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`verified_at` integer,
	`started_at` integer,
	`completed_at` integer,
	`denied_at` integer,
	`canceled_at` integer,
	`updated_at` integer NOT NULL,
	`denial_reason` text,
	`execute_after` integer,
	`progress` text,
	`export_manifest` text,
	`export_expires_at` integer,
	`receipt` text,
	`alert_level` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `privacy_requests_account_idx` ON `privacy_requests` (`account_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `privacy_requests_open_idx` ON `privacy_requests` (`status`,`due_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `privacy_requests_one_open_deletion` ON `privacy_requests` (`subject`) WHERE type = 'deletion' AND status IN ('received', 'verifying', 'in_progress');--> statement-breakpoint
CREATE TABLE `privacy_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`purpose` text NOT NULL,
	`account_id` text NOT NULL,
	`request_id` text,
	`new_email` text,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `privacy_tokens_account_idx` ON `privacy_tokens` (`account_id`);--> statement-breakpoint
CREATE TABLE `retained_billing` (
	`id` text PRIMARY KEY NOT NULL,
	`token` text NOT NULL,
	`kind` text NOT NULL,
	`reference` text NOT NULL,
	`record` text NOT NULL,
	`issued_at` integer NOT NULL,
	`legal_basis` text NOT NULL,
	`retain_until` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `retained_billing_until_idx` ON `retained_billing` (`retain_until`);--> statement-breakpoint
CREATE INDEX `retained_billing_token_idx` ON `retained_billing` (`token`);