// A logged request's content, read back for its owner: found under whichever retention class it was kept,
// decrypted with the account's data key; absent when logging was off, the content expired or was erased.

import { accountDataKey } from "../content/data-keys";
import { contentObjectKey, retentionClasses } from "../content/layout";
import { openExchange } from "../content/store";
import type { RequestContent, RequestEntry } from "./views";

/** The object keys the request's content may have been stored under (the day it started, any class). */
function candidateKeys(accountId: string, entry: RequestEntry): string[] {
  const finished = Date.parse(entry.createdAt);
  const days = new Set(
    [new Date(finished - entry.latencyMs).toISOString(), entry.createdAt].map((d) => d.slice(0, 10)),
  );
  return retentionClasses.flatMap((cls) =>
    [...days].map((day) => contentObjectKey(cls, accountId, new Date(`${day}T00:00:00Z`), entry.id)),
  );
}

async function findObject(env: Env, accountId: string, entry: RequestEntry): Promise<string | null> {
  const heads = await Promise.all(candidateKeys(accountId, entry).map((key) => env.CONTENT.head(key)));
  return heads.find((h) => h !== null)?.key ?? null;
}

/** Whether content is stored for this request (no decryption). */
export async function hasContent(env: Env, accountId: string, entry: RequestEntry): Promise<boolean> {
  return (await findObject(env, accountId, entry)) !== null;
}

/** Joins the text deltas of an OpenAI or Anthropic event stream; null when the text is not a stream. */
function streamText(sse: string): string | null {
  if (!/^(data|event):/m.test(sse)) return null;
  let text = "";
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const data = line.slice(5).trim();
    if (!data || data === "[DONE]") continue;
    try {
      const event = JSON.parse(data) as {
        choices?: { delta?: { content?: unknown } }[];
        delta?: { text?: unknown };
      };
      const piece = event.choices?.[0]?.delta?.content ?? event.delta?.text;
      if (typeof piece === "string") text += piece;
    } catch {
      // a line that is not JSON carries no text
    }
  }
  return text;
}

export async function readContent(
  env: Env,
  accountId: string,
  entry: RequestEntry,
): Promise<RequestContent | null> {
  const key = await findObject(env, accountId, entry);
  if (!key) return null;
  const [dataKey, object] = await Promise.all([
    accountDataKey(env, accountId, { create: false }),
    env.CONTENT.get(key),
  ]);
  if (!dataKey || !object) return null;
  const stored = await openExchange(key, new Uint8Array(await object.arrayBuffer()), dataKey);
  return {
    request: stored.request,
    response: stored.response,
    responseText: entry.streamed ? streamText(stored.response) : null,
  };
}
