// The tokenizer's CPU (issue 27, ADR 026): what OpenAI's o200k_base tokenizer (gpt-tokenizer) costs where the
// gateway uses it. Two views: in this Node process (the same V8 as workerd), the one-time load of its ranks and the
// CPU per count of typical inputs; and against the built Worker under workerd (/proc CPU), the CPU per request of
// the paths that count with it — count_tokens, and an Anthropic-dialect stream of an OpenAI model (message_start)
// — beside the same stream in the OpenAI dialect, which keeps the estimate. `npm run bench` calls
// `tokenizerCpu`; `npx tsx bench/tokenizer-cpu.ts [requests]` runs it alone (it needs a build).
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../scripts/ports";
import { FAKE_OPENAI_KEY, startFakeOpenAI } from "../tests/fakes/openai";
import { workerdCpu } from "./cpu";
import { type Ours, ours } from "./targets";

export type TokenizerFigures = {
  /** CPU to load the o200k_base ranks once (Node, same V8), ms — near 0 when this process had loaded them already
   * (the fake OpenAI provider counts with them): workerd.firstCountTokensMs is the figure that counts. */
  loadCpuMs: number;
  /** CPU per count (Node), ms: a typical 1,000-character prompt, and 10,000 and 100,000 characters. */
  countCpuMs: { chars1k: number; chars10k: number; chars100k: number };
  /** Bytes of the built chunk that holds the ranks (loaded on first use, never at startup); null without a build. */
  chunkBytes: number | null;
  /** workerd CPU per request, ms: the first count_tokens of an isolate (it loads the ranks) and then each one. */
  workerd: {
    firstCountTokensMs: number;
    countTokensMs: number;
    /** Streamed /v1/messages to openai/gpt-4o-mini (message_start counted by the tokenizer). */
    anthropicDialectStreamMs: number;
    /** The same stream through /v1/chat/completions (no tokenizer): the difference is the tokenizer's share. */
    openaiDialectStreamMs: number;
    tokenizerShareMs: number;
  } | null;
};

const PROMPT = "Summarise the following notes for a colleague, in plain words and at most three sentences. ";
const text = (chars: number) => PROMPT.repeat(Math.ceil(chars / PROMPT.length)).slice(0, chars);

function cpuMs(work: () => void, times: number): number {
  const before = process.cpuUsage();
  for (let i = 0; i < times; i++) work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / times;
}

async function inNode(): Promise<Pick<TokenizerFigures, "loadCpuMs" | "countCpuMs">> {
  const before = process.cpuUsage();
  const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
  countTokens("warm");
  const loaded = process.cpuUsage(before);
  const round = (n: number) => Number(n.toFixed(3));
  // Each count a new string (the library caches merges of repeated words, as it would across requests).
  let i = 0;
  const count = (chars: number) => () => countTokens(`${i++} ${text(chars)}`);
  return {
    loadCpuMs: round((loaded.user + loaded.system) / 1000),
    countCpuMs: {
      chars1k: round(cpuMs(count(1_000), 200)),
      chars10k: round(cpuMs(count(10_000), 50)),
      chars100k: round(cpuMs(count(100_000), 5)),
    },
  };
}

function chunkBytes(root: string): number | null {
  const dir = path.join(root, "build/server/assets");
  try {
    const sizes = readdirSync(dir)
      .filter((f) => f.includes("o200k"))
      .map((f) => statSync(path.join(dir, f)).size);
    return sizes.length ? Math.max(...sizes) : null;
  } catch {
    return null;
  }
}

async function timed(requests: number, send: () => Promise<Response>): Promise<number> {
  const cpu = workerdCpu();
  for (let i = 0; i < requests; i++) {
    const res = await send();
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`tokenizer bench: ${res.status}`);
  }
  return Number((cpu.stop() / requests).toFixed(3));
}

/** The figures above; `target` is our built Worker under workerd with the fake OpenAI provider behind it. */
export async function tokenizerCpu(
  target: Ours | null,
  root: string,
  requests = 200,
): Promise<TokenizerFigures> {
  const node = await inNode();
  if (!target) return { ...node, chunkBytes: chunkBytes(root), workerd: null };
  const post =
    (p: string, body: unknown, headers: Record<string, string> = {}) =>
    () =>
      fetch(`${target.url}${p}`, {
        method: "POST",
        headers: { ...target.headers, "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
  const messages = [{ role: "user", content: text(1_000) }];
  const anthropic = { "anthropic-version": "2023-06-01" };
  const count = post("/v1/messages/count_tokens", { model: "openai/gpt-4o-mini", messages }, anthropic);
  const firstCountTokensMs = await timed(1, count);
  const countTokensMs = await timed(requests, count);
  const stream = { model: "openai/gpt-4o-mini", max_tokens: 16, stream: true, messages };
  const anthropicDialectStreamMs = await timed(requests, post("/v1/messages", stream, anthropic));
  const openaiDialectStreamMs = await timed(requests, post("/v1/chat/completions", stream));
  return {
    ...node,
    chunkBytes: chunkBytes(root),
    workerd: {
      firstCountTokensMs,
      countTokensMs,
      anthropicDialectStreamMs,
      openaiDialectStreamMs,
      tokenizerShareMs: Number((anthropicDialectStreamMs - openaiDialectStreamMs).toFixed(3)),
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(import.meta.dirname, "..");
  const fake = await startFakeOpenAI();
  const target = await ours(Number(process.env.PORT ?? (await freePort())), {
    OPENAI_BASE_URL: `${fake.url}/v1`,
    OPENAI_API_KEY: FAKE_OPENAI_KEY,
  });
  try {
    console.info(JSON.stringify(await tokenizerCpu(target, root, Number(process.argv[2] ?? 200))));
  } finally {
    await target.close();
    await fake.close();
  }
}
