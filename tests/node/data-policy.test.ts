// What each data policy requires of a provider's published policy, how an account's and a key's combine, and
// which of a request's candidates (the model, then its fallbacks) may receive it (worker/ai/data-policy/rules.ts).
import { describe, expect, it } from "vitest";
import type { DataPolicy } from "#worker/ai/catalogue/model";
import { effectivePolicies, routeWithinPolicy, violatedPolicy } from "#worker/ai/data-policy/rules";

const provider = (p: Partial<DataPolicy>): DataPolicy => ({
  trainsOnData: false,
  retentionDays: 30,
  zeroDataRetention: false,
  regions: ["us"],
  termsUrl: "https://example.com/terms",
  ...p,
});

const us30 = provider({});
const trains = provider({ trainsOnData: true, retentionDays: 0 });
const zdrFlag = provider({ zeroDataRetention: true });
const keepsNone = provider({ retentionDays: 0 });
const eu = provider({ regions: ["eu"] });
const euWest = provider({ regions: ["eu-west"] });
const euAndUs = provider({ regions: ["eu", "us"] });
const local = provider({ regions: ["local"], retentionDays: 0 });

describe("each policy", () => {
  it.each([
    ["any", trains, true],
    ["no_training", us30, true],
    ["no_training", trains, false],
    ["zero_retention", us30, false],
    ["zero_retention", zdrFlag, true],
    ["zero_retention", keepsNone, true],
    ["zero_retention", trains, false],
    ["eu_only", us30, false],
    ["eu_only", eu, true],
    ["eu_only", euWest, true],
    ["eu_only", euAndUs, false],
    ["eu_only", local, true],
  ] as const)("%s allows %o: %s", (name, p, allowed) => {
    expect(violatedPolicy([name], p) === undefined).toBe(allowed);
  });
});

describe("an account's and a key's policies", () => {
  it("both apply, so a key only narrows", () => {
    expect(effectivePolicies("eu_only", "no_training")).toEqual(["eu_only", "no_training"]);
    expect(effectivePolicies("no_training", "any")).toEqual(["no_training"]);
    expect(effectivePolicies("any", "zero_retention")).toEqual(["zero_retention"]);
    expect(effectivePolicies("any")).toEqual([]);
    expect(effectivePolicies("eu_only", "eu_only")).toEqual(["eu_only"]);
  });

  it("names the first policy a provider breaks", () => {
    expect(violatedPolicy(["no_training", "eu_only"], eu)).toBeUndefined();
    expect(violatedPolicy(["no_training", "eu_only"], us30)).toBe("eu_only");
    expect(violatedPolicy(["zero_retention", "eu_only"], us30)).toBe("zero_retention");
  });
});

describe("routeWithinPolicy", () => {
  const chain = [
    { id: "a", p: eu },
    { id: "b", p: us30 },
    { id: "c", p: euWest },
  ];
  const route = (policies: Parameters<typeof routeWithinPolicy>[0], c = chain) =>
    routeWithinPolicy(policies, c, (x) => x.p);

  it("drops the fallbacks the policy forbids and keeps the order of the rest", () => {
    expect(route(["eu_only"])).toEqual({ allowed: [chain[0], chain[2]] });
  });

  it("keeps every candidate when no policy applies", () => {
    expect(route([])).toEqual({ allowed: chain });
  });

  it("refuses when the model asked for is forbidden, even if a fallback is allowed", () => {
    expect(route(["eu_only"], [chain[1]!, chain[0]!])).toEqual({ refused: "eu_only" });
  });
});
