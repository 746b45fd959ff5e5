// Measurement, run by hand (81 s, mostly seeding): copy to deletion-scale.test.ts and run
// `npx vitest run --project workers tests/pool/deletion-scale.test.ts`. Last run: deletion took 3.1 s.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { call, PASSWORD } from "./helpers";
import { settle } from "./privacy-drive";
import { seedAccount } from "./privacy-seed";

it("deletes an account with 10,000 R2 objects and 100,000 usage rows", async () => {
  const seedStart = Date.now();
  const user = await seedAccount({ usageRows: 100_000, contentObjects: 10_000 });
  const _seeded = Date.now() - seedStart;
  const start = Date.now();
  const res = await call("/api/privacy/requests", {
    body: { type: "deletion", password: PASSWORD },
    cookie: user.cookie,
  });
  const { id } = (await res.json()) as { id: string };
  expect(await settle(user.id, id, 5000)).toBe("completed");
  const _ms = Date.now() - start;
  const left = await env.DB.prepare("SELECT count(*) AS n FROM usage_events WHERE account_id = ?")
    .bind(user.id)
    .first<{ n: number }>();
  expect(left!.n).toBe(0);
}, 600_000);
