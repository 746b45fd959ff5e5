CREATE TABLE `incident_events` (
	`id` text PRIMARY KEY NOT NULL,
	`incident_id` text NOT NULL,
	`step` text NOT NULL,
	`at` integer NOT NULL,
	`operator_email` text NOT NULL,
	`detail` text,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `incident_events_incident_idx` ON `incident_events` (`incident_id`,`at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`detected_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`description` text NOT NULL,
	`holders` text NOT NULL,
	`recorded_at` integer NOT NULL,
	`recorded_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dpa_acceptances` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`version` text NOT NULL,
	`accepted_by` text NOT NULL,
	`channel` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `dpa_acceptances_account_idx` ON `dpa_acceptances` (`account_id`,`at`);--> statement-breakpoint
CREATE TABLE `subprocessor_lists` (
	`version` text PRIMARY KEY NOT NULL,
	`list` text NOT NULL,
	`recorded_at` integer NOT NULL,
	`effective_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `consent_events` ADD `wording_hash` text;--> statement-breakpoint
-- DPA acceptances are recorded like consent: a new row per acceptance, never a rewritten one.
CREATE TRIGGER `dpa_acceptances_no_update` BEFORE UPDATE ON `dpa_acceptances`
BEGIN
  SELECT RAISE(ABORT, 'dpa_acceptances is append-only');
END;
--> statement-breakpoint
-- Incidents and their steps are the breach record (Art. 33(5)): never updated, never deleted.
CREATE TRIGGER `incidents_no_update` BEFORE UPDATE ON `incidents`
BEGIN
  SELECT RAISE(ABORT, 'incidents is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `incidents_no_delete` BEFORE DELETE ON `incidents`
BEGIN
  SELECT RAISE(ABORT, 'incidents is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `incident_events_no_update` BEFORE UPDATE ON `incident_events`
BEGIN
  SELECT RAISE(ABORT, 'incident_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `incident_events_no_delete` BEFORE DELETE ON `incident_events`
BEGIN
  SELECT RAISE(ABORT, 'incident_events is append-only');
END;
