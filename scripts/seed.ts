// The demo account for local runs, created through the public API like any user would.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Miniflare, Response as MiniflareResponse } from "miniflare";

export type DemoCredentials = { email: string; password: string; apiKey: string };

const DEMO = { email: "demo@botmara.local", password: "demo-password-123" };

export async function seedDemo(mf: Miniflare, origin: string, dataDir: string): Promise<DemoCredentials> {
  const file = path.join(dataDir, "demo.json");
  const call = (p: string, init: { method?: string; body?: unknown; cookie?: string; key?: string } = {}) =>
    mf.dispatchFetch(`${origin}${p}`, {
      method: init.method ?? "GET",
      headers: {
        origin,
        "content-type": "application/json",
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });

  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as DemoCredentials;
    const check = await call("/v1/models", { key: saved.apiKey });
    await check.arrayBuffer();
    if (check.ok) return saved;
  }
  let auth = await call("/api/auth/signup", { method: "POST", body: DEMO });
  if (auth.status === 409) auth = await call("/api/auth/login", { method: "POST", body: DEMO });
  await auth.arrayBuffer();
  if (!auth.ok) throw new Error(`Could not create the demo account (HTTP ${auth.status}).`);
  const cookie = (auth.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  await verifyDemoEmail(call, cookie);
  const created = await call("/api/keys", { method: "POST", body: { name: "demo" }, cookie });
  if (!created.ok) throw new Error(`Could not create the demo key (HTTP ${created.status}).`);
  const { key } = (await created.json()) as { key: string };
  const demo = { ...DEMO, apiKey: key };
  writeFileSync(file, JSON.stringify(demo, null, 2), { mode: 0o600 });
  return demo;
}

type Call = (
  p: string,
  init?: { method?: string; body?: unknown; cookie?: string; key?: string },
) => Promise<MiniflareResponse>;

/** Verifies the demo address as its holder would: the link from the dev mailbox, posted once. */
async function verifyDemoEmail(call: Call, cookie: string): Promise<void> {
  const me = await call("/api/account", { cookie });
  if (me.ok && ((await me.json()) as { emailVerified?: boolean }).emailVerified) return;
  const box = await call(`/dev/mailbox?format=json&to=${encodeURIComponent(DEMO.email)}`);
  if (!box.ok) throw new Error(`Could not read the dev mailbox (HTTP ${box.status}).`);
  const { data } = (await box.json()) as { data: { kind: string; text: string }[] };
  const token = /token=([A-Za-z0-9_-]+)/.exec(
    data.find((m) => m.kind === "email_verification")?.text ?? "",
  )?.[1];
  if (!token) throw new Error("The demo account's verification link is missing from the dev mailbox.");
  const used = await call("/api/privacy/links", { method: "POST", body: { token }, cookie });
  await used.arrayBuffer();
  if (!used.ok) throw new Error(`Could not verify the demo account (HTTP ${used.status}).`);
}
