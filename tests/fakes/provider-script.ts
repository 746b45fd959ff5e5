// What the fake AI providers share: a loopback HTTP server that records every request (headers included) and
// answers as scripted by tests — delays between chunks, error statuses, Retry-After, hangs, cut streams, resets.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createFakeServer } from "./http";

export type Script = {
  /** Applies to requests whose raw body contains this text (tests put a unique marker in a message). */
  match: string;
  /** How many matching requests it answers (default 1). */
  times?: number;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait before the response headers. */
  delayMs?: number;
  /** Wait between streamed chunks. */
  chunkDelayMs?: number;
  /** Send the stream's headers at once, then wait this long before its first event. */
  firstEventDelayMs?: number;
  /** Never answer. */
  hang?: boolean;
  /** Reset the connection without answering (as a refused or dropped connection looks to the client). */
  destroy?: boolean;
  /** Stream this many content chunks, then drop the connection. */
  cutAfter?: number;
  /** The provider's prompt cache: tokens read from it and (Anthropic) written to it, reported in the usage as
   * each provider documents (OpenAI: part of prompt_tokens, in prompt_tokens_details.cached_tokens; Anthropic:
   * cache_read_input_tokens and cache_creation_input_tokens beside input_tokens). */
  cache?: { read: number; write?: number };
  /** Leave the usage out of the answer. */
  omitUsage?: boolean;
  reply?: string;
  toolCall?: { id: string; name: string; arguments: string };
  /** End the answer on this stop sequence (Anthropic: stop_reason "stop_sequence"; OpenAI-compatible: vLLM's
   * `stop_reason` beside finish_reason "stop"). */
  stopSequence?: string;
  /** Gemini: thinking tokens to report (usageMetadata.thoughtsTokenCount), with a thought part before the answer. */
  thoughts?: number;
  /** Gemini: withhold the answer for this finish reason ("SAFETY", …), or block the prompt itself ("PROMPT"). */
  block?: string;
  /** Bedrock: fail the stream after its first piece with an event-stream exception of this type. */
  exception?: string;
};

export type Recorded = { path: string; method: string; headers: Record<string, string>; body: string };

export type Answer = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Record<string, unknown>,
  script: Script | undefined,
) => Promise<void>;

export type FakeProvider = { url: string; close: () => Promise<void> };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Words of the reply, each a streamed chunk; their count is the completion's token count. */
export function replyWords(script: Script | undefined, fallback: string): string[] {
  return (script?.reply ?? fallback).split(/(?<= )/);
}

/** A value that satisfies a JSON schema (what a model asked for structured output answers). */
export function sampleJson(schema: Record<string, unknown> | undefined): unknown {
  const type = schema?.type;
  if (type === "object" || schema?.properties) {
    const properties = (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
    return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, sampleJson(v)]));
  }
  if (Array.isArray(schema?.enum)) return schema.enum[0];
  if (type === "array") return [sampleJson(schema?.items as Record<string, unknown>)];
  if (type === "number" || type === "integer") return 42;
  if (type === "boolean") return true;
  return "sample";
}

/** A deterministic prompt token count: the tests can predict it exactly. */
export function promptTokens(body: Record<string, unknown>): number {
  return 7 + (JSON.stringify(body.messages ?? body.input ?? "").length % 50);
}

/** The exact count the fake Anthropic's count endpoint gives (a function of the request, so tests can predict it). */
export function countedTokens(body: Record<string, unknown>): number {
  return 3 + promptTokens(body) + (body.system ? 5 : 0);
}

/** A multipart/form-data body's fields; a file as {filename, type, size, base64, sha256}. */
async function multipartFields(contentType: string, bytes: Buffer): Promise<Record<string, unknown>> {
  const form = await new Request("http://fake/", {
    method: "POST",
    headers: { "content-type": contentType },
    body: new Uint8Array(bytes),
  }).formData();
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form) {
    if (typeof value === "string") {
      fields[name] = value;
      continue;
    }
    const file = Buffer.from(await value.arrayBuffer());
    fields[name] = {
      filename: value.name,
      type: value.type,
      size: file.length,
      base64: file.toString("base64"),
      sha256: createHash("sha256").update(file).digest("hex"),
    };
  }
  return fields;
}

export async function startFakeProvider(answer: Answer): Promise<FakeProvider> {
  const scripts: Script[] = [];
  const recorded: Recorded[] = [];
  const sockets = new Set<import("node:net").Socket>();

  const server = createFakeServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    // A multipart upload (audio transcriptions) is recorded and answered as its fields, the file as base64.
    const form = (req.headers["content-type"] ?? "").startsWith("multipart/form-data")
      ? await multipartFields(req.headers["content-type"]!, bytes)
      : undefined;

    if (url.pathname === "/__script" && req.method === "POST") {
      scripts.push(JSON.parse(raw) as Script);
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === "/__requests") {
      const match = url.searchParams.get("match") ?? "";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(recorded.filter((r) => r.body.includes(match))));
      return;
    }
    recorded.push({
      path: url.pathname,
      method: req.method ?? "GET",
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: form ? JSON.stringify(form) : raw,
    });
    if (recorded.length > 5_000) recorded.splice(0, recorded.length - 5_000);
    const index = scripts.findIndex((s) => raw.includes(s.match));
    const script = index === -1 ? undefined : scripts[index];
    if (script) {
      script.times = (script.times ?? 1) - 1;
      if (script.times <= 0) scripts.splice(index, 1);
    }
    if (script?.destroy) {
      req.socket.destroy();
      return;
    }
    if (script?.hang) return;
    if (script?.delayMs) await sleep(script.delayMs);
    if (script?.status && script.status >= 400) {
      res.writeHead(script.status, { "content-type": "application/json", ...script.headers });
      res.end(
        JSON.stringify(script.body ?? { error: { message: `scripted ${script.status}`, type: "fake" } }),
      );
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = form ?? (raw ? JSON.parse(raw) : {});
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"bad json"}}');
      return;
    }
    await answer(req, res, body, script);
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes server-sent events one by one, pausing between them, optionally dropping the connection mid-way. */
export async function writeEvents(
  res: ServerResponse,
  events: string[],
  script: Script | undefined,
  contentEvents: (i: number) => boolean,
): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  if (script?.firstEventDelayMs) {
    res.flushHeaders();
    await sleep(script.firstEventDelayMs);
  }
  let content = 0;
  for (let i = 0; i < events.length; i++) {
    if (contentEvents(i)) {
      if (script?.cutAfter !== undefined && content >= script.cutAfter) {
        // Let what was written reach the client first, then drop the connection mid-response.
        await sleep(50);
        res.socket?.destroy();
        return;
      }
      content++;
    }
    await new Promise<void>((resolve) => res.write(events[i]!, () => resolve()));
    if (script?.chunkDelayMs) await sleep(script.chunkDelayMs);
  }
  res.end();
}
