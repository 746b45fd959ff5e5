// What deleting a large account takes (`npm run bench:workerd`, about 80 s, mostly seeding): prints the
// seeding and deletion times. Last run: deletion took 3.1 s.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { call, PASSWORD } from "../../tests/pool/support/helpers";
import { settle } from "../../tests/pool/support/privacy-drive";
import { seedAccount } from "../../tests/pool/support/privacy-seed";
import { accountObject } from "../../worker/account-object/stub";

it("deletes an account with 10,000 R2 objects and 100,000 usage rows", async () => {
  const seedStart = Date.now();
  const user = await seedAccount({ usageRows: 100_000, contentObjects: 10_000 });
  const seededMs = Date.now() - seedStart;
  const start = Date.now();
  const res = await call("/api/privacy/requests", {
    body: { type: "deletion", password: PASSWORD },
    cookie: user.cookie,
  });
  const { id } = (await res.json()) as { id: string };
  expect(await settle(user.id, id, 5000)).toBe("completed");
  const deletionMs = Date.now() - start;
  // The seeded rows live in the account's request log (ADR 090): its window and sealed segments are empty.
  const left = await accountObject(env, user.id).requestLogHeld();
  expect(left.rows + left.sealedRows).toBe(0);
  console.info(
    `deletion at scale (10,000 R2 objects, 100,000 usage rows): seeding ${seededMs} ms, deletion ${deletionMs} ms`,
  );
}, 600_000);
