-- The privacy audit is append-only: no row is ever rewritten, and none is removed before it is three
-- years old (the law asks for at least 24 months; the cron purges what is older).
CREATE TRIGGER `privacy_audit_no_update` BEFORE UPDATE ON `privacy_audit`
BEGIN
	SELECT RAISE(ABORT, 'privacy_audit is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `privacy_audit_no_early_delete` BEFORE DELETE ON `privacy_audit`
WHEN OLD.`at` > (CAST(strftime('%s', 'now') AS INTEGER) - 3 * 365 * 86400) * 1000
BEGIN
	SELECT RAISE(ABORT, 'privacy_audit rows are kept for three years');
END;
