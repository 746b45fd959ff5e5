CREATE TABLE `promise_checks` (
	`id` text PRIMARY KEY NOT NULL,
	`promise` text NOT NULL,
	`status` text NOT NULL,
	`evidence` text NOT NULL,
	`ran_at` integer NOT NULL,
	`changed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `promise_checks_promise_idx` ON `promise_checks` (`promise`);