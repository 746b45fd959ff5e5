// The logging policy on the request path: cached in the isolate for 5 s; an entry just expired answers at once
// while D1 is re-read in the background (the hot path awaits no D1 read), and the next request sees the change.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { cachedLoggingPolicy, policyNeedsRead } from "#worker/content/policy";
import { call, newVerifiedUser } from "../support/helpers";

describe("the logging policy cache", () => {
  it("answers from an expired entry while it is refreshed in the background, then serves the new value", async () => {
    const user = await newVerifiedUser();
    // Logging on through the API (which writes the row); then primed in this isolate's cache.
    const put = await call("/api/settings/privacy", {
      method: "PUT",
      cookie: user.cookie,
      body: { contentLogging: true },
    });
    expect(put.status).toBe(200);
    expect((await cachedLoggingPolicy(env, user.id)).enabled).toBe(true);
    // Turned off by another isolate: this one's cache is not told.
    await env.DB.prepare("UPDATE privacy_settings SET content_logging = 0 WHERE account_id = ?")
      .bind(user.id)
      .run();
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    expect(policyNeedsRead(user.id, Date.now())).toBe(false);
    const work: Promise<unknown>[] = [];
    expect((await cachedLoggingPolicy(env, user.id, (p) => work.push(p))).enabled).toBe(true);
    expect(work).toHaveLength(1);
    await Promise.all(work);
    expect((await cachedLoggingPolicy(env, user.id, (p) => work.push(p))).enabled).toBe(false);
    expect(work).toHaveLength(1);
  });
});
