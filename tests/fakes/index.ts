// Every fake of an outside service, started together on loopback for tests, `npm start -- --fakes` and the bench.
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from "./anthropic";
import { FAKE_AZURE_KEY, startFakeAzure } from "./azure";
import { FAKE_BEDROCK_CREDENTIALS, startFakeBedrock } from "./bedrock";
import { FAKE_GEMINI_KEY, startFakeGemini } from "./gemini";
import { startFakeGraph } from "./graph";
import { startFakeMail } from "./mail";
import { FAKE_COMPATIBLE_KEY, FAKE_OPENAI_KEY, startFakeOpenAI } from "./openai";
import {
  FAKE_STRIPE_PRICES,
  FAKE_STRIPE_SECRET_KEY,
  FAKE_STRIPE_WEBHOOK_SECRET,
  startFakeStripe,
} from "./stripe";

export type Fakes = {
  urls: Record<string, string>;
  vars: Record<string, string>;
  /** The providers configured by data (catalogue.json `connection`), each pointed at its wire format's fake.
   * Apart from `vars` so the tests that count models or subprocessors see only OpenAI, Anthropic and dev; the
   * tests of these providers (and `npm start -- --fakes`) add them. */
  providerVars: Record<string, string>;
  close: () => Promise<void>;
};

export async function startFakes(): Promise<Fakes> {
  const graph = await startFakeGraph();
  const mail = await startFakeMail();
  const stripe = await startFakeStripe();
  const openai = await startFakeOpenAI();
  const anthropic = await startFakeAnthropic();
  const gemini = await startFakeGemini();
  const azure = await startFakeAzure();
  const bedrock = await startFakeBedrock();
  return {
    urls: {
      stripe: stripe.url,
      graph: graph.url,
      mail: mail.url,
      openai: openai.url,
      anthropic: anthropic.url,
      gemini: gemini.url,
      azure: azure.url,
      bedrock: bedrock.url,
    },
    // Notices stay in the dev mailbox (local mode, no MAIL_API_KEY); a test that sets MAIL_API_KEY sends
    // them to the fake Resend API instead.
    vars: {
      STRIPE_API_BASE_URL: stripe.url,
      STRIPE_SECRET_KEY: FAKE_STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: FAKE_STRIPE_WEBHOOK_SECRET,
      STRIPE_PRICE_PRO: FAKE_STRIPE_PRICES.pro,
      STRIPE_PRICE_TEAM: FAKE_STRIPE_PRICES.team,
      WHATSAPP_GRAPH_BASE_URL: graph.baseUrl,
      OPENAI_BASE_URL: `${openai.url}/v1`,
      OPENAI_API_KEY: FAKE_OPENAI_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
      // The in-process dev models stay available beside the fake providers (tests and demos use dev/echo).
      DEV_PROVIDER: "on",
      // Short enough that timeout tests finish quickly, long enough for scripted slow streams.
      AI_TIMEOUT_MS: "3000",
      // One fallback chain for the tests: gpt-4o falls back to Claude when OpenAI fails.
      AI_FALLBACKS: "openai/gpt-4o=anthropic/claude-3-5-haiku-latest",
      // Requests with a customer's own provider key billed at 10 % of list, so the fee's arithmetic is exercised.
      BYOK_PLATFORM_FEE_PERCENT: "10",
      MAIL_API_URL: mail.url,
    },
    providerVars: {
      GEMINI_BASE_URL: gemini.url,
      GEMINI_API_KEY: FAKE_GEMINI_KEY,
      AZURE_OPENAI_BASE_URL: azure.url,
      AZURE_OPENAI_API_KEY: FAKE_AZURE_KEY,
      BEDROCK_BASE_URL: bedrock.url,
      BEDROCK_CREDENTIALS: FAKE_BEDROCK_CREDENTIALS,
      GROQ_BASE_URL: `${openai.url}/v1`,
      GROQ_API_KEY: FAKE_COMPATIBLE_KEY,
      MISTRAL_BASE_URL: `${openai.url}/v1`,
      MISTRAL_API_KEY: FAKE_COMPATIBLE_KEY,
      DEEPSEEK_BASE_URL: `${openai.url}/v1`,
      DEEPSEEK_API_KEY: FAKE_COMPATIBLE_KEY,
      TOGETHER_BASE_URL: `${openai.url}/v1`,
      TOGETHER_API_KEY: FAKE_COMPATIBLE_KEY,
      FIREWORKS_BASE_URL: `${openai.url}/v1`,
      FIREWORKS_API_KEY: FAKE_COMPATIBLE_KEY,
      XAI_BASE_URL: `${openai.url}/v1`,
      XAI_API_KEY: FAKE_COMPATIBLE_KEY,
      OPENROUTER_BASE_URL: `${openai.url}/v1`,
      OPENROUTER_API_KEY: FAKE_COMPATIBLE_KEY,
      // A local model server: its base URL alone (loopback, local mode) configures it, no key.
      OLLAMA_BASE_URL: `${openai.url}/v1`,
    },
    close: async () => {
      await stripe.close();
      await graph.close();
      await mail.close();
      await openai.close();
      await anthropic.close();
      await gemini.close();
      await azure.close();
      await bedrock.close();
    },
  };
}
