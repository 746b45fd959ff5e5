// A deletion receipt names every place in words: each data holder (and each step the account's object runs
// before them) has a label, so no internal name ("usage_hourly", "whatsapp_pending") reaches a person.
import { expect, it } from "vitest";
import { holders } from "#worker/privacy/holders";
import { HOLDER_LABELS, readableReceipt } from "#worker/privacy/receipts/readable";

const OBJECT_STEPS = ["data_key", "stripe_customer", "usage_buffer", "credit_buffer"];

it("labels every holder and deletion step", () => {
  const unlabeled = [...OBJECT_STEPS, ...holders.map((h) => h.name)].filter((n) => !HOLDER_LABELS[n]);
  expect(unlabeled).toEqual([]);
});

it("reads a name without a label as words", () => {
  const view = readableReceipt({
    erased: [
      { holder: "usage_hourly", location: "", records: 1 },
      { holder: "some_new_place", location: "", records: 1_200 },
    ],
  });
  expect(view.erased.map((e) => e.label)).toEqual(["Usage totals per hour", "Some new place"]);
});
