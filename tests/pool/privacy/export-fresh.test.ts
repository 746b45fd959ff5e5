// An export holds everything held at the moment it is made: a request's usage row still waiting in the
// account object's buffer (not yet in D1) is in the export requested right after it.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import worker from "#worker/index";
import { call, newKeyUser, ORIGIN } from "../support/helpers";
import { settle } from "../support/privacy-drive";

it("an export requested right after an API request contains its usage row", async () => {
  const user = await newKeyUser();
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${user.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "dev/echo", messages: [{ role: "user", content: "hello" }] }),
    }),
    env,
    ctx,
  );
  expect(res.status).toBe(200);
  const requestId = res.headers.get("x-request-id");
  await res.text();
  await waitOnExecutionContext(ctx); // the usage row is now in the account object's buffer

  const created = await call("/api/privacy/requests", { body: { type: "access" }, cookie: user.cookie });
  expect(created.status).toBe(202);
  const { id } = (await created.json()) as { id: string };
  expect(await settle(user.id, id)).toBe("completed");

  const download = await call(`/api/privacy/requests/${id}/export`, { cookie: user.cookie });
  expect(download.status).toBe(200);
  const doc = (await download.json()) as { summary: string; data: Record<string, { id?: string }[]> };
  expect(doc.data.usage).toHaveLength(1);
  if (requestId) expect(doc.data.usage![0]!.id).toBe(requestId);
  expect(doc.summary).toContain("usage: 1 record.");
});
