CREATE TABLE `credit_flushes` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `credit_flushes_time_idx` ON `credit_flushes` (`created_at`);--> statement-breakpoint
-- Usage debits are one ledger entry per account per UTC hour (reference 'usage:<hour start ms>'), increased as
-- flushes arrive (ADR 040): an update may only change the amount of a usage entry, and the running balance
-- follows it. Every other entry stays append-only.
DROP TRIGGER `credit_ledger_append_only`;
--> statement-breakpoint
CREATE TRIGGER `credit_ledger_append_only` BEFORE UPDATE ON `credit_ledger`
WHEN OLD.`kind` != 'usage' OR NEW.`kind` != 'usage' OR NEW.`id` != OLD.`id`
  OR NEW.`account_id` != OLD.`account_id` OR NEW.`reference` != OLD.`reference`
  OR NEW.`reason` != OLD.`reason` OR NEW.`created_at` != OLD.`created_at`
  OR NEW.`payment_ref` IS NOT OLD.`payment_ref`
BEGIN
  SELECT RAISE(ABORT, 'credit_ledger is append-only (a usage entry may only change its amount)');
END;
--> statement-breakpoint
CREATE TRIGGER `credit_ledger_usage_running_balance` AFTER UPDATE OF `amount_micros` ON `credit_ledger`
BEGIN
  UPDATE `billing_accounts` SET `balance_micros` = `balance_micros` + NEW.`amount_micros` - OLD.`amount_micros`
  WHERE `account_id` = NEW.`account_id`;
END;
