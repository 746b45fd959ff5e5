// EU data residency (DATA_RESIDENCY, ADR 055): with "eu" every account object is named through
// ACCOUNT.jurisdiction("eu"), and /subprocessors, the policy, the DPA and the promise report say where data is
// stored; with "global" nothing is promised. workerd (Miniflare) refuses jurisdictions ("not implemented"), so
// the tests stand in for Cloudflare's jurisdiction() only: it records the call and hands back the real
// namespace, whose objects then answer and keep state as usual.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountObject } from "#worker/account-object/stub";
import { getConfig } from "#worker/config";
import { currentDpa } from "#worker/legal/dpa";
import { subprocessors } from "#worker/legal/subprocessors";
import { policySections } from "#worker/privacy/policy";
import { allChecks } from "#worker/privacy/promises/checks";
import * as subPage from "../../../app/routes/subprocessors";
import { envWith } from "../support/faults";
import { args, page } from "../support/route-calls";

const eu = () => envWith({ DATA_RESIDENCY: "eu" } as Partial<Env>);

/** ACCOUNT with Cloudflare's jurisdiction() stood in for: records what was asked, returns `as`. */
function withJurisdictions(as: (real: Env["ACCOUNT"]) => unknown = (real) => real) {
  const asked: string[] = [];
  const real = env.ACCOUNT;
  const ACCOUNT = new Proxy(real, {
    get(target, prop) {
      if (prop === "jurisdiction")
        return (j: string) => {
          asked.push(j);
          return as(real);
        };
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { env: envWith({ DATA_RESIDENCY: "eu", ACCOUNT } as Partial<Env>), asked };
}
const residencyCheck = () => allChecks().find((c) => c.id === "p3.residency")!;

describe("EU data residency", () => {
  it('names every account object through jurisdiction("eu"); global never asks for one', async () => {
    // Today's workerd refuses the call outright; the day it supports it, this line tells.
    expect(() => env.ACCOUNT.jurisdiction("eu")).toThrow(/not implemented in workerd/);
    const accountId = crypto.randomUUID();
    const { env: euEnv, asked } = withJurisdictions();
    const object = accountObject(euEnv, accountId);
    expect(asked).toEqual(["eu"]);
    expect(await object.ping()).toBe("pong");
    const key = await object.dataKey(accountId, true);
    expect(key).not.toBeNull();
    expect(await accountObject(euEnv, accountId).dataKey(accountId, false)).toEqual(key);
    expect(asked).toEqual(["eu", "eu"]);

    const global = withJurisdictions();
    accountObject(envWith({ ACCOUNT: global.env.ACCOUNT } as Partial<Env>), accountId);
    expect(global.asked).toEqual([]);
  });

  it("is a promise-report line: kept when objects carry the eu jurisdiction, broken when not, said for global", async () => {
    const inEu = withJurisdictions(() => ({ idFromName: () => ({ jurisdiction: "eu" }) }));
    const onEu = await residencyCheck().run(inEu.env, new Date());
    expect(onEu).toMatchObject({ status: "kept", facts: { residency: "eu", durableObjects: "eu" } });
    expect(onEu.facts.d1).toBe("location hint only");
    const notInEu = await residencyCheck().run(withJurisdictions().env, new Date());
    expect(notInEu).toMatchObject({ status: "broken", facts: { durableObjects: "none" } });
    const onGlobal = await residencyCheck().run(env, new Date());
    expect(onGlobal).toMatchObject({ status: "kept", facts: { residency: "global" } });
    expect(onGlobal.summary).toMatch(/No data residency is promised/);
  });

  it("is shown on /subprocessors, in the policy and in the DPA, with D1's limit", async () => {
    const euPage = await subPage.loader({
      ...args(page("/subprocessors")),
      context: { cloudflare: { env: eu(), ctx: { waitUntil() {} } } },
    });
    expect(euPage.residency).toBe("eu");
    const cloudflare = subprocessors(getConfig(eu()))[0]!;
    expect(cloudflare.location).toMatch(/EU jurisdiction for Durable Objects and R2/);
    expect(cloudflare.location).toMatch(/location hint only/);
    const policy = JSON.stringify(policySections(getConfig(eu())));
    expect(policy).toContain(cloudflare.location);
    expect(JSON.stringify(await currentDpa(getConfig(eu())))).toContain(cloudflare.location);

    const globalPage = await subPage.loader(args(page("/subprocessors")));
    expect(globalPage.residency).toBe("global");
    expect(globalPage.list[0]!.location).not.toMatch(/EU jurisdiction/);
  });
});

describe("subprocessors from the catalogue", () => {
  it("names each enabled AI provider with the catalogue's regions, data policy and terms; dev is none", async () => {
    const { providerPolicy } = await import("#worker/ai/catalogue");
    const list = subprocessors(getConfig(env));
    const openai = list.find((s) => s.name === "OpenAI")!;
    const policy = providerPolicy("openai");
    expect(openai.terms).toBe(policy.termsUrl);
    expect(openai.dataPolicy).toContain(`${policy.retentionDays} days`);
    expect(openai.location).toBe("United States");
    expect(openai.transferBasis).toMatch(/Standard Contractual Clauses/);
    expect(list.some((s) => /Development/.test(s.name))).toBe(false);
    // A provider without a key is no subprocessor.
    const noAnthropic = envWith({ ANTHROPIC_API_KEY: "", ANTHROPIC_BASE_URL: "https://api.anthropic.com" });
    expect(subprocessors(getConfig(noAnthropic)).some((s) => s.name === "Anthropic")).toBe(false);
  });
});
