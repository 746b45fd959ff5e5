CREATE TABLE `usage_daily` (
	`account_id` text NOT NULL,
	`key` text NOT NULL,
	`model` text NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cost_micros` integer NOT NULL,
	`estimated_requests` integer NOT NULL,
	`day` integer NOT NULL,
	PRIMARY KEY(`account_id`, `day`, `key`, `model`)
);
--> statement-breakpoint
CREATE TABLE `usage_hourly` (
	`account_id` text NOT NULL,
	`key` text NOT NULL,
	`model` text NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cost_micros` integer NOT NULL,
	`estimated_requests` integer NOT NULL,
	`hour` integer NOT NULL,
	PRIMARY KEY(`account_id`, `hour`, `key`, `model`)
);
--> statement-breakpoint
-- Rows already metered count in their hour.
INSERT INTO `usage_hourly` (`account_id`, `hour`, `key`, `model`, `requests`, `errors`, `input_tokens`, `output_tokens`, `cost_micros`, `estimated_requests`)
SELECT `account_id`, `created_at` - `created_at` % 3600000, coalesce(`key_id`, 'source:' || `source`), `model`,
       count(*), sum(CASE WHEN `status` >= 400 THEN 1 ELSE 0 END), sum(`input_tokens`), sum(`output_tokens`),
       sum(`cost_micros`), sum(`estimated`)
FROM `usage_events` WHERE true
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
-- Each usage row adds itself to its hour once: a repeated insert of the same id is ignored and fires nothing.
CREATE TRIGGER `usage_events_hourly` AFTER INSERT ON `usage_events`
BEGIN
  INSERT INTO `usage_hourly` (`account_id`, `hour`, `key`, `model`, `requests`, `errors`, `input_tokens`, `output_tokens`, `cost_micros`, `estimated_requests`)
  VALUES (NEW.`account_id`, NEW.`created_at` - NEW.`created_at` % 3600000, coalesce(NEW.`key_id`, 'source:' || NEW.`source`),
          NEW.`model`, 1, CASE WHEN NEW.`status` >= 400 THEN 1 ELSE 0 END, NEW.`input_tokens`, NEW.`output_tokens`,
          NEW.`cost_micros`, NEW.`estimated`)
  ON CONFLICT (`account_id`, `hour`, `key`, `model`) DO UPDATE SET
    `requests` = `requests` + 1,
    `errors` = `errors` + excluded.`errors`,
    `input_tokens` = `input_tokens` + excluded.`input_tokens`,
    `output_tokens` = `output_tokens` + excluded.`output_tokens`,
    `cost_micros` = `cost_micros` + excluded.`cost_micros`,
    `estimated_requests` = `estimated_requests` + excluded.`estimated_requests`;
END;
