CREATE TABLE `stripe_payments` (
	`payment_intent` text PRIMARY KEY NOT NULL,
	`charge_amount` integer,
	`refunded` integer DEFAULT 0 NOT NULL,
	`dispute` text,
	`updated_at` integer NOT NULL
);
