// "What we hold about you right now": counts per holder, from the registry the export uses, match the export.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { holdingsOf } from "#worker/privacy/holders/counts";
import { call } from "../support/helpers";
import { settle } from "../support/privacy-drive";
import { seedAccount } from "../support/privacy-seed";

describe("holdings", () => {
  it("counts what the account holds per holder, equal to the export's counts", async () => {
    const user = await seedAccount({ usageRows: 4, contentObjects: 3 });
    const before = Object.fromEntries((await holdingsOf(env, user.id)).map((h) => [h.name, h.records]));
    expect(before).toMatchObject({ profile: 1, usage: 4, api_keys: 1, content: 3, whatsapp_messages: 1 });
    expect(before.billing).toBe(3);
    const res = await call("/api/privacy/requests", { body: { type: "access" }, cookie: user.cookie });
    const { id } = (await res.json()) as { id: string };
    await settle(user.id, id);
    const doc = (await (
      await call(`/api/privacy/requests/${id}/export`, { cookie: user.cookie })
    ).json()) as {
      counts: Record<string, number>;
    };
    for (const name of ["profile", "usage", "api_keys", "sessions", "settings", "consent_history", "billing"])
      expect({ name, n: before[name] }).toEqual({ name, n: doc.counts[name] });
  });

  it("counts an export as one export, however many parts it is stored in", async () => {
    const user = await seedAccount({ usageRows: 4, contentObjects: 3 });
    const res = await call("/api/privacy/requests", { body: { type: "access" }, cookie: user.cookie });
    const { id } = (await res.json()) as { id: string };
    await settle(user.id, id);
    const parts = await env.CONTENT.list({ prefix: `exports/${user.id}/` });
    expect(parts.objects.length).toBeGreaterThan(1);
    const exports = (await holdingsOf(env, user.id)).find((h) => h.name === "exports");
    expect(exports).toMatchObject({ records: 1, unit: "export" });
  });
});
