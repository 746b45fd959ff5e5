import { env } from "cloudflare:workers";
import { expect, it } from "vitest";

it("the per-account Durable Object is bound and answers", async () => {
  expect(await env.ACCOUNT.getByName("some-account").ping()).toBe("pong");
});
