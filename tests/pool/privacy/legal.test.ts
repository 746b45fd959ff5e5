// Processor paperwork: the DPA accepted and recorded like consent; the public subprocessor list generated from
// configuration; acceptors mailed once, with the date it takes effect, when the list changes.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig } from "#worker/config";
import { announceSubprocessorChanges, latestList } from "#worker/legal/changes";
import { currentDpa, SUBPROCESSOR_NOTICE_DAYS } from "#worker/legal/dpa";
import { listVersion, subprocessors } from "#worker/legal/subprocessors";
import { DAY_MS } from "#worker/time";
import * as dpaPage from "../../../app/routes/legal-dpa";
import * as subPage from "../../../app/routes/subprocessors";
import { newUser, newVerifiedUser } from "../support/helpers";
import { emailsTo, resendEnv } from "../support/mail-helpers";
import { args, page, post, unwrap } from "../support/route-calls";

const acceptances = async (accountId: string) =>
  (
    await env.DB.prepare("SELECT version, accepted_by, channel, at FROM dpa_acceptances WHERE account_id = ?")
      .bind(accountId)
      .all<{ version: string; accepted_by: string; channel: string; at: number }>()
  ).results;

describe("/legal/dpa", () => {
  it("is public, generated from configuration, and its version is the hash of its text", async () => {
    const data = await dpaPage.loader(args(page("/legal/dpa")));
    const config = getConfig(env);
    expect(data.signedIn).toBe(false);
    expect(data.dpa).toEqual(await currentDpa(config));
    const text = data.dpa.sections.flatMap((s) => s.paragraphs).join("\n");
    expect(text).toContain(`${config.policy.deletionDeadlineDays} days`);
    expect(text).toContain(`${SUBPROCESSOR_NOTICE_DAYS} days`);
    expect(text).toContain(config.privacyContact);
  });

  it("records who accepted which version and when; the record cannot be rewritten", async () => {
    const user = await newVerifiedUser();
    const { dpa } = await dpaPage.loader(args(page("/legal/dpa", user.cookie)));
    const before = Date.now();
    const res = unwrap(await dpaPage.action(args(post("/legal/dpa", { version: dpa.version }, user.cookie))));
    expect(res).toMatchObject({ done: true });
    const rows = await acceptances(user.id);
    expect(rows).toEqual([
      { version: dpa.version, accepted_by: user.email, channel: "dashboard", at: expect.any(Number) },
    ]);
    expect(rows[0]!.at).toBeGreaterThanOrEqual(before);
    const shown = await dpaPage.loader(args(page("/legal/dpa", user.cookie)));
    expect(shown.accepted).toEqual([expect.objectContaining({ version: dpa.version, current: true })]);
    await expect(
      env.DB.prepare("UPDATE dpa_acceptances SET version = 'x' WHERE account_id = ?").bind(user.id).run(),
    ).rejects.toThrow(/append-only/);
  });

  it("refuses an unverified address, a version no longer in force and a visitor; nothing is recorded", async () => {
    const unverified = await newUser();
    const { dpa } = await dpaPage.loader(args(page("/legal/dpa", unverified.cookie)));
    const a = unwrap(
      await dpaPage.action(args(post("/legal/dpa", { version: dpa.version }, unverified.cookie))),
    );
    expect(a.status).toBe(403);
    const user = await newVerifiedUser();
    const stale = "0".repeat(64);
    const b = unwrap(await dpaPage.action(args(post("/legal/dpa", { version: stale }, user.cookie))));
    expect(b.status).toBe(409);
    const visitor = await dpaPage.action(args(post("/legal/dpa", { version: dpa.version }))).catch((e) => e);
    expect(visitor).toBeInstanceOf(Response);
    expect((visitor as Response).status).toBe(302);
    expect(await acceptances(unverified.id)).toEqual([]);
    expect(await acceptances(user.id)).toEqual([]);
  });
});

describe("/subprocessors", () => {
  it("lists Cloudflare, each AI provider this deployment calls, Stripe and Meta, with location and basis", async () => {
    const data = await subPage.loader(args(page("/subprocessors")));
    const names = data.list.map((s) => s.name);
    expect(names[0]).toMatch(/Cloudflare/);
    expect(names.some((n) => n.startsWith("OpenAI"))).toBe(true);
    expect(names.some((n) => n.startsWith("Anthropic"))).toBe(true);
    expect(names.some((n) => n.startsWith("Stripe"))).toBe(true);
    expect(names.some((n) => n.startsWith("Meta"))).toBe(true);
    // Local mode keeps notices in the dev mailbox: no mail provider receives anything.
    expect(names.some((n) => n.startsWith("Resend"))).toBe(false);
    for (const s of data.list) for (const v of Object.values(s)) expect(v.length).toBeGreaterThan(3);
    // Mail through Resend makes Resend a subprocessor.
    const withMail = subprocessors(getConfig(resendEnv())).map((s) => s.name);
    expect(withMail.some((n) => n.startsWith("Resend"))).toBe(true);
  });

  it("mails every DPA acceptor once, with the date it takes effect, when the list changes; others are not told", async () => {
    const now = new Date();
    // Whatever list is current is the baseline.
    await announceSubprocessorChanges(env, now);
    const acceptor = await newVerifiedUser();
    const { dpa } = await dpaPage.loader(args(page("/legal/dpa", acceptor.cookie)));
    await dpaPage.action(args(post("/legal/dpa", { version: dpa.version }, acceptor.cookie)));
    const bystander = await newVerifiedUser();
    expect(await announceSubprocessorChanges(env, now)).toBe(0); // unchanged: no one is told

    // The operator switches mail to Resend: a new subprocessor.
    const changed = resendEnv();
    const later = new Date(now.getTime() + 60_000);
    const told = await announceSubprocessorChanges(changed, later);
    expect(told).toBeGreaterThanOrEqual(1);
    const latest = await latestList(changed);
    expect(latest?.version).toBe(await listVersion(subprocessors(getConfig(changed))));
    const effective = new Date(later.getTime() + SUBPROCESSOR_NOTICE_DAYS * DAY_MS)
      .toISOString()
      .slice(0, 10);
    expect(latest?.effectiveAt.toISOString().slice(0, 10)).toBe(effective);
    const mails = await emailsTo(acceptor.email);
    const notice = mails.filter((m) => m.body.subject.includes("subprocessors"));
    expect(notice).toHaveLength(1);
    expect(notice[0]!.body.text).toContain(effective);
    expect(notice[0]!.body.text).toContain("+ Resend");
    expect((await emailsTo(bystander.email)).filter((m) => m.body.subject.includes("subprocessors"))).toEqual(
      [],
    );
    // Running again changes nothing and mails no one twice.
    expect(await announceSubprocessorChanges(changed, later)).toBe(0);
    expect(
      (await emailsTo(acceptor.email)).filter((m) => m.body.subject.includes("subprocessors")),
    ).toHaveLength(1);
  });
});
