CREATE TABLE `operator_audit` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`operator_id` text NOT NULL,
	`operator_email` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `operator_audit_at_idx` ON `operator_audit` (`at`);--> statement-breakpoint
CREATE INDEX `operator_audit_target_idx` ON `operator_audit` (`target`);--> statement-breakpoint
CREATE TABLE `auth_throttles` (
	`bucket` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL,
	`blocked_until` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `accounts` ADD `email_verified_at` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `reauth_at` integer;
--> statement-breakpoint
-- The operator audit is append-only: no row is ever rewritten or removed.
CREATE TRIGGER `operator_audit_no_update` BEFORE UPDATE ON `operator_audit`
BEGIN
	SELECT RAISE(ABORT, 'operator_audit is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `operator_audit_no_delete` BEFORE DELETE ON `operator_audit`
BEGIN
	SELECT RAISE(ABORT, 'operator_audit is append-only');
END;
