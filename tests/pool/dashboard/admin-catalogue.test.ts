// /admin/catalogue, its loader and action called as React Router calls them and the page rendered: every model
// with its prices, an override or a new model saved from the form (a minute ahead, audited, listed as scheduled),
// a bad field refused beside it, and nothing for anyone but an operator.
import { beforeAll, describe, expect, it } from "vitest";
import * as catalogue from "../../../app/routes/admin/catalogue";
import { countRows } from "../support/d1-count";
import { newUser, operatorSession } from "../support/helpers";
import { renderPage } from "../support/render-page";
import { args, page, post, unwrap } from "../support/route-calls";

const PATH = "/admin/catalogue";
let operator: { cookie: string; id: string };
beforeAll(async () => {
  operator = await operatorSession();
});

const load = (query = "") => catalogue.loader(args(page(`${PATH}${query}`, operator.cookie)));
const save = async (fields: Record<string, string>, cookie = operator.cookie) =>
  unwrap(await catalogue.action(args(post(PATH, { disabled: "false", ...fields }, cookie))));

describe("/admin/catalogue", () => {
  it("lists every model with all four prices, and renders at a glance", async () => {
    const data = await load();
    expect(data.models.find((m) => m.id === "anthropic/claude-sonnet-4-5")).toMatchObject({
      source: "shipped",
      disabled: false,
      prices: { input: "3.00", output: "15.00", cachedInput: "0.30", cacheWrite: "3.75" },
    });
    const html = renderPage(catalogue.default, PATH, data);
    expect(html).toContain("anthropic/claude-sonnet-4-5");
    expect(html).toContain("$3.75");
    expect(html).toContain("Add a model");
  });

  it("adds a model from the form: a minute ahead, audited, listed as scheduled", async () => {
    const id = `openai/gpt-added-${crypto.randomUUID().slice(0, 6)}`;
    const saved = await save({
      modelId: id,
      kind: "chat",
      contextTokens: "200000",
      maxOutputTokens: "32000",
      "prices.input": "2.50",
      "prices.output": "10",
      "prices.cachedInput": "0.25",
      capabilities: "set",
    });
    expect(saved).toMatchObject({ done: true, modelId: id });
    expect(Date.parse(saved.effectiveAt as string)).toBeGreaterThan(Date.now());
    expect(
      await countRows(
        "SELECT count(*) AS n FROM operator_audit WHERE action = 'catalogue.model.added' AND target = ?",
        id,
      ),
    ).toBe(1);
    const data = await load();
    const listed = data.overrides.find((o) => o.modelId === id);
    expect(listed).toMatchObject({
      state: "scheduled",
      kind: "chat",
      contextTokens: 200_000,
      capabilities: [],
      prices: { input: "2.50", output: "10", cachedInput: "0.25", cacheWrite: null },
    });
    expect(renderPage(catalogue.default, PATH, data, saved)).toContain(`Saved: ${id}`);
  });

  it("edits a shipped model: the form starts from its override and shows the shipped values", async () => {
    const saved = await save({ modelId: "dev/echo", "prices.output": "1", effectiveAt: "2099-01-01T00:00" });
    expect(saved).toMatchObject({ done: true, effectiveAt: "2099-01-01T00:00:00.000Z" });
    const data = await load("?model=dev%2Fecho");
    expect(data.model).toMatchObject({ id: "dev/echo", source: "shipped" });
    expect(data.override).toMatchObject({ modelId: "dev/echo", prices: { output: "1" } });
    const html = renderPage(catalogue.default, `${PATH}?model=dev%2Fecho`, data);
    expect(html).toContain("Override dev/echo");
    expect(html).toMatch(/name="prices.output"[^>]*value="1"/);
  });

  it("refuses a bad field beside it and saves nothing", async () => {
    const before = await countRows("SELECT count(*) AS n FROM catalogue_overrides");
    const badPrice = await save({ modelId: "dev/echo", "prices.input": "two dollars" });
    expect(badPrice.status).toBe(400);
    expect(badPrice.error!.fields["prices.input"]).toBeTruthy();
    const dearCache = await save({ modelId: "dev/echo", "prices.input": "1", "prices.cachedInput": "2" });
    expect(dearCache.status).toBe(400);
    expect(dearCache.error!.fields["prices.cachedInput"]).toMatch(/cached input costs more/);
    const soon = await save({ modelId: "dev/echo", effectiveAt: "2020-01-01T00:00" });
    expect(soon.error!.fields.effectiveAt).toBeTruthy();
    expect(await countRows("SELECT count(*) AS n FROM catalogue_overrides")).toBe(before);
  });

  it("is for operators only", async () => {
    const { cookie } = await newUser();
    await expect(catalogue.loader(args(page(PATH, cookie)))).rejects.toMatchObject({ init: { status: 403 } });
    expect((await save({ modelId: "dev/echo", disabled: "true" }, cookie)).status).toBe(403);
  });
});
