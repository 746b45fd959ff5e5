// The dashboard's loaders and actions called as React Router calls them: a real Request (form data, session
// cookie) and the workerd env in the load context.
import { describe, expect, it } from "vitest";
import * as billing from "../../../app/routes/dashboard/billing";
import * as keys from "../../../app/routes/dashboard/keys";
import * as settings from "../../../app/routes/dashboard/settings";
import { call, newUser, newVerifiedUser } from "../support/helpers";
import { args, page, post, unwrap } from "../support/route-calls";

describe("dashboard loaders and actions", () => {
  it("settings: saves, and reports every bad field in plain words", async () => {
    const { cookie } = await newVerifiedUser();
    const saved = unwrap(
      await settings.action(
        args(
          post(
            "/dashboard/settings",
            {
              intent: "save",
              contentLogging: "true",
              retentionDays: "7",
              notices: "false",
            },
            cookie,
          ),
        ),
      ),
    );
    expect(saved).toEqual({ saved: "save" });
    const loaded = await settings.loader(args(page("/dashboard/settings", cookie)));
    expect(loaded.settings).toMatchObject({ contentLogging: true, retentionDays: 7 });
    const bad = unwrap(
      await settings.action(
        args(
          post(
            "/dashboard/settings",
            {
              intent: "save",
              contentLogging: "x",
              retentionDays: "5",
            },
            cookie,
          ),
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
          post(
            "/dashboard/keys",
            {
              intent: "create",
              name: "",
              expires: "",
              spendLimit: "-1",
              rateLimit: "10",
            },
            cookie,
          ),
        ),
      ),
    ) as { error: { fields: Record<string, string> }; values: Record<string, string> };
    expect(bad.error.fields).toMatchObject({
      name: "Give the key a name.",
      spendLimit: expect.stringContaining("$0.01"),
    });
    expect(bad.values).toMatchObject({ spendLimit: "-1", rateLimit: "10" });
    const loaded = await keys.loader(args(page("/dashboard/keys", cookie)));
    expect(loaded.plan).toEqual({ name: "Free", ceiling: 600 });
  });

  it("keys: the created panel's quickstart carries the new key, and its request is answered", async () => {
    const { cookie } = await newUser();
    const done = unwrap(
      await keys.action(
        args(
          post(
            "/dashboard/keys",
            { intent: "create", name: "laptop", expires: "", spendLimit: "", rateLimit: "" },
            cookie,
          ),
        ),
      ),
    ) as { created: { key: string; snippets: { id: string; code: string }[] } };
    const { key, snippets } = done.created;
    expect(snippets.map((s) => s.id)).toEqual(["curl", "python", "typescript"]);
    for (const s of snippets) expect(s.code).toContain(key);
    // The curl line, as the shell would send it: the key from its header, the body from -d.
    const curl = snippets[0]!.code;
    const sentKey = /Bearer ([^"]+)"/.exec(curl)![1]!;
    const body = JSON.parse(/-d '(.*)'$/s.exec(curl)![1]!) as Record<string, unknown>;
    const res = await call("/v1/chat/completions", { key: sentKey, body });
    expect(res.status).toBe(200);
    await res.text();
  });

  it("billing: the loader shows the trial credit; a top-up out of bounds is refused beside its field", async () => {
    const { cookie } = await newUser();
    const loaded = await billing.loader(args(page("/dashboard/billing", cookie)));
    expect(loaded.overview.balanceMicros).toBe(1_000_000);
    expect(loaded.statement.some((e) => e.kind === "trial")).toBe(true);
    const bad = unwrap(
      await billing.action(args(post("/dashboard/billing", { intent: "topup", dollars: "1" }, cookie))),
    ) as { error: { fields: Record<string, string> } };
    expect(bad.error.fields.dollars).toMatch(/smallest top-up/);
  });
});
