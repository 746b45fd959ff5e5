// The whole journey, then the self-audit: a customer signs up, calls the API with content logging and training
// consent on, answers a WhatsApp message, restricts processing and lifts it, objects (and is answered), takes
// an export and deletes the account — and every promise check, P1–P12 and EU residency, still says `kept`.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEPLOYED_LIFECYCLE_KEY, lifecycleRecord } from "#worker/content/layout";
import { promiseReport, runPromiseChecks } from "#worker/privacy/promises/report";
import { marker } from "../support/ai-helpers";
import { setBalance } from "../support/billing-helpers";
import { envWith } from "../support/faults";
import { call, expectError, newKeyUser, operatorSession, PASSWORD, verifyEmail } from "../support/helpers";
import { settle } from "../support/privacy-drive";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  inboundMessage,
  notification,
  sentFrom,
} from "../support/whatsapp-helpers";

const chat = (key: string) =>
  call("/v1/chat/completions", {
    key,
    body: { model: "dev/echo", messages: [{ role: "user", content: marker("journey") }] },
  });

describe("P1–P12 after the whole journey", () => {
  it("every promise check is kept", async () => {
    // What `npm run deploy` records after setting the R2 lifecycle rules (scripts/server.ts does the same locally).
    await env.CONTENT.put(DEPLOYED_LIFECYCLE_KEY, JSON.stringify(lifecycleRecord(new Date(), "deploy")));
    const operator = await operatorSession();
    const user = await newKeyUser();
    await verifyEmail(user.email, user.cookie);
    await setBalance(user.id, 5_000_000);
    const settings = await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: true, retentionDays: 7, trainingConsent: true },
      cookie: user.cookie,
    });
    expect(settings.status).toBe(200);
    expect((await chat(user.key)).status).toBe(200);

    const whatsapp = await connectedUser();
    await deliverSigned(
      whatsapp.appSecret,
      notification(whatsapp.phoneNumberId, { messages: [inboundMessage({ from: customerNumber() })] }),
    );
    expect(await sentFrom(whatsapp.phoneNumberId)).toHaveLength(1);

    const ask = (body: Record<string, unknown>) =>
      call("/api/privacy/requests", { body, cookie: user.cookie });
    expect((await ask({ type: "restriction" })).status).toBe(202);
    expect((await expectError(await chat(user.key), 403)).code).toBe("processing_restricted");
    expect((await call("/api/privacy/restriction", { method: "DELETE", cookie: user.cookie })).status).toBe(
      200,
    );
    expect((await chat(user.key)).status).toBe(200);

    const objection = (await (
      await ask({ type: "objection", note: "I object to product notices about new models." })
    ).json()) as { id: string };
    const answered = await call(`/api/admin/privacy/requests/${objection.id}/answer`, {
      body: { upheld: true, answer: "Upheld: no more product notices." },
      cookie: operator.cookie,
    });
    expect(answered.status).toBe(200);

    const access = (await (await ask({ type: "access" })).json()) as { id: string };
    expect(await settle(user.id, access.id)).toBe("completed");
    const deletion = (await (await ask({ type: "deletion", password: PASSWORD })).json()) as { id: string };
    expect(await settle(user.id, deletion.id)).toBe("completed");

    // P4 reads only the configured upstream addresses: the journey ran against loopback fakes (at_risk by
    // design, "local development only"), the audit reads the addresses wrangler.toml deploys with.
    const deployed = envWith({
      OPENAI_BASE_URL: "https://api.openai.com/v1",
      ANTHROPIC_BASE_URL: "https://api.anthropic.com",
      STRIPE_API_BASE_URL: "https://api.stripe.com",
      WHATSAPP_GRAPH_BASE_URL: "https://graph.facebook.com/v21.0",
    });
    const statuses = await runPromiseChecks(deployed, new Date());
    const notKept = Object.entries(statuses).filter(([, s]) => s !== "kept");
    expect(notKept).toEqual([]);
    const report = await promiseReport(env, { operator: false });
    expect(report.promises.map((p) => p.id)).toEqual(Array.from({ length: 12 }, (_, i) => `P${i + 1}`));
    for (const p of report.promises)
      expect({ id: p.id, status: p.status }).toEqual({ id: p.id, status: "kept" });
    expect(report.promises.flatMap((p) => p.checks).map((c) => c.id)).toContain("p3.residency");
  });
});
