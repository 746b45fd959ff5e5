// /admin/incidents: the 72-hour breach clock, affected accounts through the holders, the Art. 33 draft, the
// Art. 34 notices through the outbox (once), every step append-only and in the operator audit; operators only.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { HOUR_MS } from "#worker/time";
import * as incidents from "../../../app/routes/admin/incidents";
import { call, newKeyUser, newUser, ORIGIN, operatorSession } from "../support/helpers";
import { args, page, post, unwrap } from "../support/route-calls";

let operator: { cookie: string; id: string };
beforeAll(async () => {
  operator = await operatorSession();
});

const minute = (d: Date) => d.toISOString().slice(0, 16);
const act = async (fields: Record<string, string>, cookie = operator.cookie) =>
  unwrap(await incidents.action(args(post("/admin/incidents", fields, cookie))));

async function recordWithHolders(
  fields: Record<string, string>,
  holders: string[],
  cookie = operator.cookie,
) {
  const body = new URLSearchParams(fields);
  for (const h of holders) body.append("holders", h);
  const request = new Request(`${ORIGIN}/admin/incidents`, {
    method: "POST",
    headers: { origin: ORIGIN, cookie },
    body,
  });
  return unwrap(await incidents.action(args(request)));
}

async function breachMails(to: string) {
  const res = await call(`/dev/mailbox?format=json&to=${encodeURIComponent(to)}`);
  const { data } = (await res.json()) as { data: { kind: string; text: string }[] };
  return data.filter((m) => m.kind === "breach_notice");
}

const audit = async (target: string) =>
  (
    await env.DB.prepare("SELECT action FROM operator_audit WHERE target = ? ORDER BY at")
      .bind(target)
      .all<{ action: string }>()
  ).results.map((r) => r.action);

describe("/admin/incidents", () => {
  it("records an incident on a 72-hour clock, finds whom it concerns, drafts Art. 33 and notifies once (Art. 34)", async () => {
    const user = await newKeyUser();
    const detected = new Date(Date.now() - HOUR_MS);
    const description = `Key prefixes exposed in a log export ${crypto.randomUUID()}`;
    const recorded = await recordWithHolders(
      { intent: "record", title: "Log export", detectedAt: minute(detected), description },
      ["api_keys"],
    );
    expect(recorded).toMatchObject({ done: "recorded" });
    const id = recorded.id as unknown as string;

    const data = await incidents.loader(args(page("/admin/incidents", operator.cookie)));
    const shown = data.incidents.find((i) => i.id === id)!;
    expect(new Date(shown.dueAt).getTime() - new Date(shown.detectedAt).getTime()).toBe(72 * HOUR_MS);
    expect(shown.msLeft).toBeGreaterThan(70 * HOUR_MS);
    expect(shown.affected).toBeGreaterThanOrEqual(1);
    expect(shown.draft).toContain(description);
    expect(shown.draft).toContain(`Approximate number of accounts concerned: ${shown.affected}`);

    expect(await act({ intent: "authority_notified", id })).toMatchObject({ done: "authority_notified" });
    const sent = await act({ intent: "notify_customers", id });
    expect(sent).toMatchObject({ done: "notified", sent: shown.affected });
    const mails = await breachMails(user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(description);
    // Twice is refused: nobody is told twice.
    expect((await act({ intent: "notify_customers", id })).status).toBe(409);
    expect(await breachMails(user.email)).toHaveLength(1);

    const after = (await incidents.loader(args(page("/admin/incidents", operator.cookie)))).incidents.find(
      (i) => i.id === id,
    )!;
    expect(after.msLeft).toBeNull();
    expect(after.steps.map((s) => s.step)).toEqual(["authority_notified", "customers_notified"]);
    expect(await audit(id)).toEqual([
      "incident.recorded",
      "incident.authority_notified",
      "incident.customers_notified",
    ]);
  });

  it("refuses non-operators, a detection in the future and an incident naming no data; nothing is recorded", async () => {
    const user = await newUser();
    const refused = await incidents
      .loader(args(page("/admin/incidents", user.cookie)))
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ init: { status: 403 } });
    const before = await env.DB.prepare("SELECT count(*) AS n FROM incidents").first<{ n: number }>();
    const fields = { intent: "record", title: "Nope", description: "Something happened here." };
    const past = minute(new Date(Date.now() - HOUR_MS));
    expect((await recordWithHolders({ ...fields, detectedAt: past }, ["api_keys"], user.cookie)).status).toBe(
      403,
    );
    const future = minute(new Date(Date.now() + 2 * HOUR_MS));
    expect((await recordWithHolders({ ...fields, detectedAt: future }, ["api_keys"])).status).toBe(400);
    expect((await recordWithHolders({ ...fields, detectedAt: past }, [])).status).toBe(400);
    expect((await recordWithHolders({ ...fields, detectedAt: past }, ["no_such_holder"])).status).toBe(400);
    const after = await env.DB.prepare("SELECT count(*) AS n FROM incidents").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it("keeps incidents and their steps append-only", async () => {
    const recorded = await recordWithHolders(
      {
        intent: "record",
        title: "Append-only",
        detectedAt: minute(new Date(Date.now() - HOUR_MS)),
        description: "A record that cannot be rewritten.",
      },
      ["sessions"],
    );
    const id = recorded.id as unknown as string;
    await act({ intent: "closed", id });
    expect((await act({ intent: "authority_notified", id })).status).toBe(409); // closed: no further step
    await expect(
      env.DB.prepare("UPDATE incidents SET title = 'x' WHERE id = ?").bind(id).run(),
    ).rejects.toThrow(/append-only/);
    await expect(
      env.DB.prepare("DELETE FROM incident_events WHERE incident_id = ?").bind(id).run(),
    ).rejects.toThrow(/append-only/);
  });
});
