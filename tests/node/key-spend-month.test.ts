// A key's monthly spend limit counts UTC calendar months (ADR 026): a row of a new month starts it from zero, a
// late row of a month already over counts nowhere, a free row changes nothing.
import { describe, expect, it } from "vitest";
import { monthStart, spendAfter, spentIn } from "#worker/billing/key-spend-month";

const DEC = Date.UTC(2026, 11, 1);
const JAN = Date.UTC(2027, 0, 1);

describe("a key's month-to-date spend", () => {
  it("months start at midnight UTC on the first", () => {
    expect(monthStart(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe(DEC);
    expect(monthStart(JAN)).toBe(JAN);
    expect(monthStart(Date.UTC(2027, 1, 28, 12))).toBe(Date.UTC(2027, 1, 1));
  });

  it("adds a row's cost within the month", () => {
    expect(spendAfter({ month: DEC, spent: 500 }, 250, DEC + 1_000)).toEqual({ month: DEC, spent: 750 });
    expect(spendAfter({ month: DEC, spent: 500 }, 1, JAN - 1)).toEqual({ month: DEC, spent: 501 });
  });

  it("a row of the next month starts it from zero", () => {
    expect(spendAfter({ month: DEC, spent: 500 }, 250, JAN)).toEqual({ month: JAN, spent: 250 });
  });

  it("a late row of a month already over, or a free one, changes nothing", () => {
    expect(spendAfter({ month: JAN, spent: 500 }, 250, JAN - 1)).toBeUndefined();
    expect(spendAfter({ month: DEC, spent: 500 }, 0, DEC + 1)).toBeUndefined();
    expect(spendAfter({ month: DEC, spent: 500 }, -3, DEC + 1)).toBeUndefined();
  });

  it("what was spent counts only in its own month", () => {
    expect(spentIn({ month: DEC, spent: 750 }, DEC + 5)).toBe(750);
    expect(spentIn({ month: DEC, spent: 750 }, JAN)).toBe(0);
    expect(spentIn(undefined, DEC)).toBe(0);
  });
});
