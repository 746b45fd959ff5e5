// The dashboard's loaders and actions called as React Router calls them: a real Request (form data, session
// cookie) and the workerd env in the load context.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import * as billing from "../../app/routes/dashboard/billing";
import * as keys from "../../app/routes/dashboard/keys";
import * as settings from "../../app/routes/dashboard/settings";
import { newUser, ORIGIN } from "./helpers";

const ctx = { waitUntil: () => {}, passThroughOnException: () => {} } as unknown as ExecutionContext;
const context = { cloudflare: { env, ctx }, cspNonce: "n", requestId: crypto.randomUUID() };

function formRequest(path: string, cookie: string, fields: Record<string, string>) {
  return new Request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { cookie, origin: ORIGIN },
    body: new URLSearchParams(fields),
  });
}

// biome-ignore lint/suspicious/noExplicitAny: route args are typed per route by React Router's typegen
const args = (request: Request) => ({ request, context, params: {} }) as any;
/** An action's answer: plain data, or React Router's `data()` wrapper with its status. */
const unwrap = (r: unknown) =>
  (r && typeof r === "object" && "type" in r && (r as { type: string }).type === "DataWithResponseInit"
    ? (r as unknown as { data: unknown }).data
    : r) as Record<string, unknown>;

describe("dashboard loaders and actions", () => {
  it("settings: saves, and reports every bad field in plain words", async () => {
    const { cookie } = await newUser();
    const saved = unwrap(
      await settings.action(
        args(
          formRequest("/dashboard/settings", cookie, {
            intent: "save",
            contentLogging: "true",
            retentionDays: "7",
            notices: "false",
          }),
        ),
      ),
    );
    expect(saved).toEqual({ saved: "save" });
    const loaded = await settings.loader(
      args(new Request(`${ORIGIN}/dashboard/settings`, { headers: { cookie } })),
    );
    expect(loaded.settings).toMatchObject({ contentLogging: true, retentionDays: 7 });
    const bad = unwrap(
      await settings.action(
        args(
          formRequest("/dashboard/settings", cookie, {
            intent: "save",
            contentLogging: "x",
            retentionDays: "5",
          }),
        ),
      ),
    ) as { error: { fields: Record<string, string> } };
    expect(Object.keys(bad.error.fields).sort()).toEqual(["contentLogging", "notices", "retentionDays"]);
    expect(JSON.stringify(bad)).not.toMatch(/Invalid|expected/);
  });

  it("keys: a failed form keeps what was typed; the loader shows the plan's ceiling", async () => {
    const { cookie } = await newUser();
    const bad = unwrap(
      await keys.action(
        args(
          formRequest("/dashboard/keys", cookie, {
            intent: "create",
            name: "",
            expires: "",
            spendLimit: "-1",
            rateLimit: "10",
          }),
        ),
      ),
    ) as { error: { fields: Record<string, string> }; values: Record<string, string> };
    expect(bad.error.fields).toMatchObject({
      name: "Give the key a name.",
      spendLimit: expect.stringContaining("$0.01"),
    });
    expect(bad.values).toMatchObject({ spendLimit: "-1", rateLimit: "10" });
    const loaded = await keys.loader(args(new Request(`${ORIGIN}/dashboard/keys`, { headers: { cookie } })));
    expect(loaded.plan).toEqual({ name: "Free", ceiling: 600 });
  });

  it("billing: the loader shows the trial credit; a top-up out of bounds is refused beside its field", async () => {
    const { cookie } = await newUser();
    const loaded = await billing.loader(
      args(new Request(`${ORIGIN}/dashboard/billing`, { headers: { cookie } })),
    );
    expect(loaded.overview.balanceMicros).toBe(1_000_000);
    expect(loaded.statement.some((e) => e.kind === "trial")).toBe(true);
    const bad = unwrap(
      await billing.action(
        args(formRequest("/dashboard/billing", cookie, { intent: "topup", dollars: "1" })),
      ),
    ) as { error: { fields: Record<string, string> } };
    expect(bad.error.fields.dollars).toMatch(/smallest top-up/);
  });
});
