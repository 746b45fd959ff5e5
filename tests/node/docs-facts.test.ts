// Docs that cannot drift silently: the ADR index is what `npm run docs:index` writes from the ADRs themselves,
// and every constant the architecture doc or an ADR quotes equals the export the code runs with.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PASSWORD_ITERATIONS } from "#worker/accounts/passwords";
import { MAX_OPEN_STREAMS_PER_KEY } from "#worker/ai/rate-limit";
import { LEASE_TTL_MS } from "#worker/billing/lease-terms";
import { CACHE_TTL_MS } from "#worker/keys/cache";
import { LINK_TTL_MS } from "#worker/privacy/rights-requests/links";
import { HOUR_MS } from "#worker/time";
import { BATCH_MAX_ROWS, BATCH_MAX_WAIT_MS } from "#worker/usage/batcher";
import { readAdrs, renderIndex } from "../../scripts/adr-index";

const root = path.join(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const num = (s: string) => Number(s.replaceAll(",", ""));

/** [document, pattern whose first group is the quoted number, the value the code runs with]. */
const QUOTED: [doc: string, pattern: RegExp, value: number][] = [
  ["docs/architecture.md", /in batches \((\d+) rows or \d+ ms/, BATCH_MAX_ROWS],
  ["docs/architecture.md", /in batches \(\d+ rows or (\d+) ms/, BATCH_MAX_WAIT_MS],
  ["docs/architecture.md", /meterBatch \((\d+) rows or \d+ ms\)/, BATCH_MAX_ROWS],
  ["docs/architecture.md", /meterBatch \(\d+ rows or (\d+) ms\)/, BATCH_MAX_WAIT_MS],
  [
    "docs/decisions/026-credit-leases-and-batched-metering.md",
    /call per (\d+) rows or \d+ ms/,
    BATCH_MAX_ROWS,
  ],
  [
    "docs/decisions/026-credit-leases-and-batched-metering.md",
    /call per \d+ rows or (\d+) ms/,
    BATCH_MAX_WAIT_MS,
  ],
  ["docs/architecture.md", /at most (\d+) open streams per key/, MAX_OPEN_STREAMS_PER_KEY],
  ["docs/architecture.md", /(\d+) s isolate cache/, CACHE_TTL_MS / 1000],
  ["docs/decisions/008-api-key-cache.md", /cached (\d+) s per isolate/, CACHE_TTL_MS / 1000],
  ["docs/decisions/002-password-hashing.md", /at ([\d,]+) iterations/, PASSWORD_ITERATIONS],
  [
    "docs/decisions/026-credit-leases-and-batched-metering.md",
    /A lease is valid (\d+) s after/,
    LEASE_TTL_MS / 1000,
  ],
  ["docs/architecture.md", /valid (\d+) s \(isolate/, LEASE_TTL_MS / 1000],
  ["README.md", /single use and expire after (\d+) hours/, LINK_TTL_MS / HOUR_MS],
];

describe("docs/decisions/README.md", () => {
  it("is the index the ADRs' own title, Status and Date lines give (run `npm run docs:index`)", () => {
    expect(read("docs/decisions/README.md")).toBe(renderIndex(readAdrs()));
  });

  it("lists every ADR with a status and a date", () => {
    for (const adr of readAdrs()) {
      expect(adr.status, adr.file).not.toBe("");
      expect(adr.date, adr.file).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe("constants quoted in the docs", () => {
  it.each(QUOTED)("%s quotes %s as the code's value", (doc, pattern, value) => {
    const m = pattern.exec(read(doc));
    expect(m, `${doc} no longer says ${pattern}`).not.toBeNull();
    expect(num(m![1]!)).toBe(value);
  });
});
