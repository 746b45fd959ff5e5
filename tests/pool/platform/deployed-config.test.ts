// The Worker as deployed from the committed wrangler.toml (its [vars], no LOCAL_MODE): no development surface
// exists there — no dev mailbox, no dev/* models, no plain-http upstream — whatever the request's Host says.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { connect, providerAvailable, providers } from "#worker/ai/providers/registry";
import { getConfig } from "#worker/config";
import worker from "#worker/index";
import { sendText } from "#worker/whatsapp/graph";
import { simulatorEnabled } from "#worker/whatsapp/simulator";
import { expectConsoleError } from "../support/console-errors";
import { expectError, newKeyUser, newUser } from "../support/helpers";

/** The bindings (D1, R2, Durable Objects, assets) with only the committed vars and the given secrets. */
function deployedEnv(extra: Record<string, string> = {}): Env {
  const bindings = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => typeof value !== "string" && name !== "DEPLOYED_VARS"),
  );
  return { ...bindings, ...env.DEPLOYED_VARS, MASTER_KEY: env.MASTER_KEY, ...extra } as unknown as Env;
}

async function fetchDeployed(target: Env, url: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url, init), target, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const fakeOpenAI = () => env.OPENAI_BASE_URL; // http://127.0.0.1:PORT/v1, the loopback fake
const chat = (model: string) =>
  JSON.stringify({ model, messages: [{ role: "user", content: "hello" }], max_tokens: 8 });

describe("the committed wrangler.toml", () => {
  it("sets no LOCAL_MODE, ships DEV_PROVIDER off, and parses to a non-local config", () => {
    expect(env.DEPLOYED_VARS).not.toHaveProperty("LOCAL_MODE");
    expect(env.DEPLOYED_VARS.DEV_PROVIDER).toBe("off");
    const config = getConfig(deployedEnv());
    expect(config.localMode).toBe(false);
    expect(config.devProvider).toBe(false);
    // Even a dev provider switched on by hand stays off outside local mode.
    expect(getConfig(deployedEnv({ DEV_PROVIDER: "on" })).devProvider).toBe(false);
    // The tests themselves run in local mode.
    expect(getConfig(env).localMode).toBe(true);
  });
});

describe("a deployed Worker has no development surface", () => {
  it("/dev/mailbox is a 404 whatever the Host", async () => {
    for (const origin of [
      "https://botmara.com",
      "https://localhost",
      "https://127.0.0.1:8787",
      "https://[::1]",
    ]) {
      for (const path of ["/dev/mailbox", "/dev/mailbox?format=json", "/dev/mailbox/"]) {
        const res = await fetchDeployed(deployedEnv(), `${origin}${path}`);
        await expectError(res, 404);
      }
    }
    // Plain http is sent to https first, loopback Host or not; the mailbox is never served.
    const res = await fetchDeployed(deployedEnv(), "http://localhost/dev/mailbox?format=json", {
      redirect: "manual",
    });
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("https://localhost/dev/mailbox?format=json");
  });

  it("dev/* models are neither listed nor callable, even with DEV_PROVIDER=on", async () => {
    const { key } = await newKeyUser();
    for (const extra of [{}, { DEV_PROVIDER: "on" }, { DEV_PROVIDER: "auto" }] as Record<string, string>[]) {
      const target = deployedEnv({ OPENAI_API_KEY: "sk-test", ...extra });
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const list = await fetchDeployed(target, "https://botmara.com/v1/models", { headers });
      expect(list.status).toBe(200);
      const ids = ((await list.json()) as { data: { id: string }[] }).data.map((m) => m.id);
      expect(ids).toContain("openai/gpt-4o-mini");
      expect(ids.filter((id) => id.startsWith("dev/"))).toEqual([]);
      const call = await fetchDeployed(target, "https://botmara.com/v1/chat/completions", {
        method: "POST",
        headers,
        body: chat("dev/echo"),
      });
      const error = await expectError(call, 404);
      expect(error.code).toBe("model_not_found");
    }
  });

  it("refuses a plain-http upstream, on loopback too, naming the setting", async () => {
    expectConsoleError(/request failed.*"code":"insecure_upstream"/); // each refusal is a logged 503
    const { key } = await newKeyUser();
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const cases: { vars: Record<string, string>; model: string }[] = [
      { vars: { OPENAI_BASE_URL: fakeOpenAI(), OPENAI_API_KEY: "x" }, model: "openai/gpt-4o-mini" },
      {
        vars: { OPENAI_BASE_URL: "http://api.example.com/v1", OPENAI_API_KEY: "x" },
        model: "openai/gpt-4o-mini",
      },
      {
        vars: { ANTHROPIC_BASE_URL: env.ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY: "x" },
        model: "anthropic/claude-3-5-haiku-latest",
      },
    ];
    for (const { vars, model } of cases) {
      const res = await fetchDeployed(deployedEnv(vars), "https://botmara.com/v1/chat/completions", {
        method: "POST",
        headers,
        body: chat(model),
      });
      const error = await expectError(res, 503);
      expect(error.code).toBe("insecure_upstream");
      expect(error.message).toContain(model.startsWith("openai") ? "OPENAI_BASE_URL" : "ANTHROPIC_BASE_URL");
    }
  });

  it("refuses a plain-http Stripe API base", async () => {
    expectConsoleError(/request failed.*"code":"insecure_upstream"/); // the refusal is a logged 503
    const user = await newUser();
    const target = deployedEnv({
      STRIPE_API_BASE_URL: env.STRIPE_API_BASE_URL,
      STRIPE_SECRET_KEY: env.STRIPE_SECRET_KEY,
      STRIPE_PRICE_PRO: env.STRIPE_PRICE_PRO,
    });
    // The local session cookie, under the name an https origin uses.
    const cookie = user.cookie.replace(/^sid=/, "__Host-sid=");
    const res = await fetchDeployed(target, "https://botmara.com/api/billing/checkout", {
      method: "POST",
      headers: { cookie, origin: "https://botmara.com", "content-type": "application/json" },
      body: JSON.stringify({ kind: "subscription", plan: "pro" }),
    });
    const error = await expectError(res, 503);
    expect(error.message).toContain("STRIPE_API_BASE_URL");
  });

  it("refuses a plain-http Graph API base and turns the WhatsApp simulator off", async () => {
    const config = getConfig(deployedEnv({ WHATSAPP_GRAPH_BASE_URL: env.WHATSAPP_GRAPH_BASE_URL }));
    expect(simulatorEnabled(config)).toBe(false);
    const sent = await sendText(config, {
      phoneNumberId: "1",
      accessToken: "t",
      to: "15550001111",
      text: "hi",
    });
    expect(sent).toMatchObject({ ok: false, retryable: false });
    expect(sent.ok ? "" : sent.error).toContain("WHATSAPP_GRAPH_BASE_URL");
    // In local mode (the tests) the same loopback fake is fine.
    expect(simulatorEnabled(getConfig(env))).toBe(true);
  });

  it("takes a local model server by its base URL alone in local mode, and never outside it", () => {
    const ollama = { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: "http://localhost:11434/v1" };
    const local = getConfig({ ...env, ...ollama } as unknown as Env);
    expect(providerAvailable(local, "openai")).toBe(true);
    expect(connect(local, providers.openai).baseUrl).toBe("http://localhost:11434/v1");
    const deployed = getConfig(deployedEnv({ OPENAI_BASE_URL: "http://localhost:11434/v1" }));
    expect(providerAvailable(deployed, "openai")).toBe(false);
  });
});
