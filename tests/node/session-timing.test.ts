// Session timing (ADR 003): a session idle for more than seven days ends; one in use has its last-seen moved
// forward, at most once an hour; none outlives thirty days from sign-in.
import { describe, expect, it } from "vitest";
import {
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  sessionExpiresAt,
  sessionFreshness,
  TOUCH_INTERVAL_MS,
} from "#worker/accounts/session-timing";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.UTC(2026, 11, 6, 9, 0, 0);
const seen = (msAgo: number) => new Date(now - msAgo);

describe("session timing", () => {
  it("is seven days idle, thirty days absolute, last-seen refreshed at most hourly", () => {
    expect(SESSION_IDLE_MS).toBe(7 * DAY);
    expect(SESSION_ABSOLUTE_MS).toBe(30 * DAY);
    expect(TOUCH_INTERVAL_MS).toBe(HOUR);
  });

  it("a new session ends thirty days after sign-in", () => {
    expect(sessionExpiresAt(now).getTime()).toBe(now + 30 * DAY);
  });

  it("a session used within the hour is left as it is (reads stay reads)", () => {
    expect(sessionFreshness(seen(0), now)).toBe("fresh");
    expect(sessionFreshness(seen(HOUR - 1), now)).toBe("fresh");
    expect(sessionFreshness(seen(HOUR), now)).toBe("fresh");
  });

  it("an active session's last-seen advances once it is more than an hour old", () => {
    expect(sessionFreshness(seen(HOUR + 1), now)).toBe("touch");
    expect(sessionFreshness(seen(3 * DAY), now)).toBe("touch");
    expect(sessionFreshness(seen(7 * DAY), now)).toBe("touch");
  });

  it("an idle session expires after seven days without use", () => {
    expect(sessionFreshness(seen(7 * DAY + 1), now)).toBe("idle");
    expect(sessionFreshness(seen(29 * DAY), now)).toBe("idle");
  });
});
