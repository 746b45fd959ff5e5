// [env.staging] and [env.production] repeat every binding and var of the top level (wrangler does not inherit
// them), so a var added at the top level and forgotten in an environment fails here, not in production.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";

const file = path.resolve(import.meta.dirname, "../../wrangler.toml");
type Named = { binding?: string; name?: string };
type Read = {
  vars: Record<string, unknown>;
  d1_databases: Named[];
  r2_buckets: Named[];
  durable_objects: { bindings: Named[] };
  ratelimits?: Named[];
  observability?: {
    enabled?: boolean;
    logs?: { enabled?: boolean; invocation_logs?: boolean };
    traces?: { enabled?: boolean };
  };
  tail_consumers?: unknown[];
  queues?: { producers?: Named[]; consumers?: { queue: string; dead_letter_queue?: string }[] };
  analytics_engine_datasets?: (Named & { dataset?: string })[];
};
const read = (env?: string) => unstable_readConfig({ config: file, env }) as unknown as Read;

describe("wrangler.toml environments", () => {
  const top = read();
  for (const env of ["staging", "production"]) {
    it(`${env} has the top level's vars and bindings`, () => {
      const c = read(env);
      expect(Object.keys(c.vars).sort()).toEqual(Object.keys(top.vars).sort());
      expect(c.d1_databases.map((d) => d.binding)).toEqual(top.d1_databases.map((d) => d.binding));
      expect(c.r2_buckets.map((b) => b.binding)).toEqual(top.r2_buckets.map((b) => b.binding));
      expect(c.durable_objects.bindings.map((b) => b.name)).toEqual(
        top.durable_objects.bindings.map((b) => b.name),
      );
      expect((c.ratelimits ?? []).map((r) => r.name)).toEqual((top.ratelimits ?? []).map((r) => r.name));
      expect((c.queues?.producers ?? []).map((q) => q.binding)).toEqual(
        (top.queues?.producers ?? []).map((q) => q.binding),
      );
      expect((c.queues?.consumers ?? []).map((q) => Boolean(q.dead_letter_queue))).toEqual(
        (top.queues?.consumers ?? []).map((q) => Boolean(q.dead_letter_queue)),
      );
      expect((c.analytics_engine_datasets ?? []).map((d) => d.binding)).toEqual(["METRICS"]);
      // The SQL API reads back the dataset the binding writes.
      expect(c.vars.METRICS_DATASET).toBe(c.analytics_engine_datasets?.[0]?.dataset);
      expect(c.observability?.enabled).toBe(true);
      expect(c.vars).not.toHaveProperty("LOCAL_MODE");
      expect(c.vars.DEV_PROVIDER).toBe("off");
    });
  }

  // An invocation log records the full URL (?token=…, hub.verify_token=…) and the client address, past the
  // Worker's own scrubbing; the policy says they are off. Traces would record the same, and a Tail Worker
  // would receive them: none of these may be on in any environment.
  for (const env of [undefined, "staging", "production"]) {
    it(`${env ?? "top level"}: invocation logs off, so no log line can carry a token from a URL`, () => {
      const c = read(env);
      expect(c.observability?.logs?.invocation_logs).toBe(false);
      expect(c.observability?.traces?.enabled ?? false).toBe(false);
      expect(c.tail_consumers ?? []).toEqual([]);
    });
  }
});
