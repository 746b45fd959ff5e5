// The cap on live keys holds when creates race: the count is checked inside the INSERT itself.
import { describe, expect, it } from "vitest";
import { MAX_KEYS_PER_ACCOUNT } from "#worker/keys/service";
import { countRows } from "../support/d1-count";
import { call, newUser } from "../support/helpers";

describe("key cap under concurrent creates", () => {
  it(`one slot left and six creates at once: one 201, five 409 too_many_keys, ${MAX_KEYS_PER_ACCOUNT} live keys`, async () => {
    const { cookie, id } = await newUser();
    for (let i = 0; i < MAX_KEYS_PER_ACCOUNT - 1; i++) {
      const res = await call("/api/keys", { cookie, body: { name: `k${i}` } });
      expect(res.status).toBe(201);
      await res.arrayBuffer();
    }
    const racing = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call("/api/keys", { cookie, body: { name: `race ${i}` } })),
    );
    const statuses = racing.map((r) => r.status).sort();
    await Promise.all(racing.map((r) => r.arrayBuffer()));
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    expect(
      await countRows("SELECT count(*) AS n FROM api_keys WHERE account_id = ? AND revoked_at IS NULL", id),
    ).toBe(MAX_KEYS_PER_ACCOUNT);
  });
});
