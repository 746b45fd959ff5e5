-- The credit ledger is append-only, and billing_accounts.balance_micros is its running sum, kept by the
-- database itself so no code path can change one without the other (see docs/decisions/040).
CREATE TRIGGER `credit_ledger_needs_account` BEFORE INSERT ON `credit_ledger`
WHEN NOT EXISTS (SELECT 1 FROM `billing_accounts` WHERE `account_id` = NEW.`account_id`)
BEGIN
  SELECT RAISE(ABORT, 'credit_ledger: no billing account');
END;
--> statement-breakpoint
CREATE TRIGGER `credit_ledger_running_balance` AFTER INSERT ON `credit_ledger`
BEGIN
  UPDATE `billing_accounts` SET `balance_micros` = `balance_micros` + NEW.`amount_micros`
  WHERE `account_id` = NEW.`account_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `credit_ledger_append_only` BEFORE UPDATE ON `credit_ledger`
BEGIN
  SELECT RAISE(ABORT, 'credit_ledger is append-only');
END;
