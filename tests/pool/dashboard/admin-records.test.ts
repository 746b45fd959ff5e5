// /admin/records (GDPR Art. 30): generated from the holders' declarations; operators only; noting that the
// records were provided to an authority lands in the operator audit, and a refused form records nothing.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "#worker/config";
import { holders } from "#worker/privacy/holders";
import * as records from "../../../app/routes/admin/records";
import { newUser, operatorSession } from "../support/helpers";
import { args, page, post, unwrap } from "../support/route-calls";

let operator: { cookie: string; id: string };
beforeAll(async () => {
  operator = await operatorSession();
});

const audited = async (recipient: string) =>
  (
    await env.DB.prepare(
      "SELECT count(*) AS n FROM operator_audit WHERE action = 'records.provided' AND detail LIKE ?",
    )
      .bind(`%${recipient}%`)
      .first<{ n: number }>()
  )?.n;

describe("/admin/records", () => {
  it("lists one record per holder, each its declaration as the holder makes it", async () => {
    const data = await records.loader(args(page("/admin/records", operator.cookie)));
    const config = getConfig(env);
    expect(data.records.map((r) => r.holder)).toEqual(holders.map((h) => h.name));
    for (const [i, h] of holders.entries()) expect(data.records[i]).toMatchObject(h.processing(config));
    expect(data.controller.contact).toBe(config.privacyContact);
  });

  it("refuses anyone but an operator, for the page and the form; nothing is recorded", async () => {
    const user = await newUser();
    const refused = await records.loader(args(page("/admin/records", user.cookie))).catch((e: unknown) => e);
    expect(refused).toMatchObject({ init: { status: 403 } });
    const recipient = `Authority ${crypto.randomUUID()}`;
    const res = unwrap(await records.action(args(post("/admin/records", { recipient }, user.cookie))));
    expect(res.status).toBe(403);
    expect(await audited(recipient)).toBe(0);
  });

  it("notes in the operator audit who the records were provided to; an empty name is refused", async () => {
    const bad = unwrap(
      await records.action(args(post("/admin/records", { recipient: " " }, operator.cookie))),
    );
    expect(bad.status).toBe(400);
    expect(bad.error?.fields.recipient).toBeDefined();
    const recipient = `CNIL ${crypto.randomUUID()}`;
    const ok = unwrap(await records.action(args(post("/admin/records", { recipient }, operator.cookie))));
    expect(ok).toMatchObject({ done: true });
    expect(await audited(recipient)).toBe(1);
  });
});
