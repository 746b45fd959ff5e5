// The data-policy forms (plain POSTs, no JavaScript): the account's on /dashboard/settings, each key's on
// /dashboard/keys — the same services as the API, so the next request is routed by what was saved.
import { describe, expect, it } from "vitest";
import * as keys from "../../../app/routes/dashboard/keys";
import * as settings from "../../../app/routes/dashboard/settings";
import { call, expectError, newKeyUser } from "../support/helpers";
import { args, page, post, unwrap } from "../support/route-calls";

const chat = (key: string) =>
  call("/v1/chat/completions", {
    key,
    body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
  });

describe("data-policy forms", () => {
  it("settings: the account's policy is saved and applies to the next request", async () => {
    const user = await newKeyUser();
    const loaded = await settings.loader(args(page("/dashboard/settings", user.cookie)));
    expect(loaded.settings.dataPolicy).toBe("any");
    expect(loaded.dataPolicyChoices.map((c) => c.value)).toEqual([
      "any",
      "no_training",
      "zero_retention",
      "eu_only",
    ]);
    const saved = unwrap(
      await settings.action(
        args(post("/dashboard/settings", { intent: "dataPolicy", dataPolicy: "eu_only" }, user.cookie)),
      ),
    );
    expect(saved).toEqual({ saved: "dataPolicy" });
    expect((await expectError(await chat(user.key), 403)).code).toBe("data_policy_violation");
    const bad = unwrap(
      await settings.action(
        args(post("/dashboard/settings", { intent: "dataPolicy", dataPolicy: "mars" }, user.cookie)),
      ),
    ) as { error: { fields: Record<string, string> } };
    expect(Object.keys(bad.error.fields)).toEqual(["dataPolicy"]);
  });

  it("keys: a key's policy is saved with its other settings and narrows that key", async () => {
    const user = await newKeyUser();
    const updated = unwrap(
      await keys.action(
        args(
          post(
            "/dashboard/keys",
            {
              intent: "update",
              id: user.keyId,
              name: "narrow",
              expires: "",
              spendLimit: "",
              rateLimit: "",
              dataPolicy: "zero_retention",
            },
            user.cookie,
          ),
        ),
      ),
    );
    expect(updated).toEqual({ updated: "narrow" });
    const loaded = await keys.loader(args(page("/dashboard/keys", user.cookie)));
    expect(loaded.keys.find((k) => k.id === user.keyId)?.dataPolicy).toBe("zero_retention");
    expect((await expectError(await chat(user.key), 403)).message).toContain("'zero_retention'");
  });
});
