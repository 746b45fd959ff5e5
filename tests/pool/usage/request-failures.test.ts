// A failed request says why (issue 25): its row in the request log carries the error code and message we
// answered with — in our words: a provider's own error text never reaches the log — in the window, in a sealed
// segment, through /api/requests/:id and on the dashboard's request detail.
import { describe, expect, it } from "vitest";
import * as detailPage from "../../../app/routes/dashboard/request";
import { marker, openaiFake, script, usageRows } from "../support/ai-helpers";
import { expectConsoleError } from "../support/console-errors";
import { call, expectError, newKeyUser } from "../support/helpers";
import { requestLogHeld, sealRequestLog, seedRequestLog, usageRow } from "../support/request-log";
import { args, page } from "../support/route-calls";

type Detail = { status: number; errorCode: string | null; errorMessage: string | null };

async function detail(cookie: string, id: string): Promise<Detail> {
  const res = await call(`/api/requests/${id}`, { cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as Detail;
}

describe("a failed request's reason in the request log", () => {
  it("a refusal keeps the code and message we answered; the detail page shows them", async () => {
    const user = await newKeyUser();
    const res = await call("/v1/chat/completions", {
      key: user.key,
      body: { model: "nope/none", messages: [{ role: "user", content: "hi" }] },
    });
    const answered = await expectError(res, 404);
    const id = res.headers.get("x-request-id")!;
    await usageRows(user.id, 1);
    expect(await detail(user.cookie, id)).toMatchObject({
      status: 404,
      errorCode: answered.code,
      errorMessage: answered.message,
    });
    const loaded = await detailPage.loader(args(page(`/dashboard/requests/${id}`, user.cookie), { id }));
    expect(loaded.entry).toMatchObject({ errorCode: answered.code, errorMessage: answered.message });
  });

  it("a provider's failure keeps our code and our sentence, never the provider's text", async () => {
    expectConsoleError(/request failed.*"status":502/);
    const user = await newKeyUser();
    const m = marker();
    const secret = `PROVIDER-TEXT-${crypto.randomUUID()}`;
    await script(openaiFake(), {
      match: m,
      status: 500,
      times: 3,
      body: { error: { message: `boom ${secret}`, type: "server_error" } },
    });
    const res = await call("/v1/chat/completions", {
      key: user.key,
      body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: m }] },
    });
    const answered = await expectError(res, 502);
    expect(answered.code).toBe("upstream_error");
    const id = res.headers.get("x-request-id")!;
    await usageRows(user.id, 1);
    const row = await detail(user.cookie, id);
    expect(row).toMatchObject({
      status: 502,
      errorCode: "upstream_error",
      errorMessage: "The provider failed.",
    });
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it("a success has none; a sealed failure keeps its reason", async () => {
    const user = await newKeyUser();
    const old = Date.now() - 10 * 24 * 3_600_000;
    const failed = usageRow(user.id, user.keyId, {
      createdAt: old,
      status: 402,
      errorCode: "insufficient_credit",
      errorMessage: "Your balance is too low.",
    });
    const ok = usageRow(user.id, user.keyId, { createdAt: old + 1 });
    await seedRequestLog(user.id, [failed, ok]);
    expect(await detail(user.cookie, failed.id)).toMatchObject({ errorCode: "insufficient_credit" });
    await sealRequestLog(user.id);
    expect(await requestLogHeld(user.id)).toMatchObject({ rows: 0, sealedRows: 2 });
    expect(await detail(user.cookie, failed.id)).toMatchObject({
      status: 402,
      errorCode: "insufficient_credit",
      errorMessage: "Your balance is too low.",
    });
    expect(await detail(user.cookie, ok.id)).toMatchObject({ errorCode: null, errorMessage: null });
  });
});
