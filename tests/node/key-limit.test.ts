// The keys page's limit column: what is enforced, and a lapsed plan's higher setting beside it.
import { expect, it } from "vitest";
import { rateLimitText } from "../../app/lib/key-limit";

const free = { name: "Free", ceiling: 600 };

it.each([
  [null, "120/min"],
  [60, "60/min"],
  [600, "600/min"],
  [6_000, "600/min (set to 6000; the Free plan allows 600)"],
])("a key set to %s shows %s", (stored, text) => {
  expect(rateLimitText(stored, 120, free)).toBe(text);
});
