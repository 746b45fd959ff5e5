// The one rule for adding usage rows to a sum (hourly aggregates in D1, the request log's short-range sums).
import { expect, it } from "vitest";
import { addToTally, emptyTally } from "#worker/usage/tally";

const row = { inputTokens: 10, outputTokens: 5, costMicros: 7 };

it("counts a 400 or above as an error, everything else as served, and sums every figure", () => {
  const t = emptyTally();
  addToTally(t, { ...row, status: 399 });
  addToTally(t, { ...row, status: 400, cachedInputTokens: 3, cacheWriteTokens: 2, estimated: true });
  addToTally(t, { ...row, status: 200 });
  expect(t).toEqual({
    requests: 3,
    errors: 1,
    inputTokens: 30,
    outputTokens: 15,
    cachedInputTokens: 3,
    cacheWriteTokens: 2,
    costMicros: 21,
    estimatedRequests: 1,
  });
});
