// The 30-day clock in words, as the dashboard and the operators' page show it.
import { expect, it } from "vitest";
import { formatTimeLeft } from "../../app/lib/time-left";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

it("counts whole days, then hours, and says when a request is overdue", () => {
  expect(formatTimeLeft(30 * DAY)).toBe("30 days left");
  expect(formatTimeLeft(DAY + 5 * HOUR)).toBe("1 day left");
  expect(formatTimeLeft(5 * HOUR + 59 * 60_000)).toBe("5 hours left");
  expect(formatTimeLeft(HOUR)).toBe("1 hour left");
  expect(formatTimeLeft(10 * 60_000)).toBe("under an hour left");
  expect(formatTimeLeft(-10 * 60_000)).toBe("overdue by under an hour");
  expect(formatTimeLeft(-2 * HOUR)).toBe("overdue by 2 hours");
  expect(formatTimeLeft(-3 * DAY - HOUR)).toBe("overdue by 3 days");
});
