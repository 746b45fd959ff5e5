-- Consent history is append-only: a change is recorded by a new row, never by rewriting an old one.
-- (Deleting stays possible so that erasing an account can remove its history with it.)
CREATE TRIGGER `consent_events_no_update` BEFORE UPDATE ON `consent_events`
BEGIN
	SELECT RAISE(ABORT, 'consent_events is append-only');
END;
