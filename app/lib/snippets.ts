// The code that makes one chat request — curl, Python and TypeScript (the openai SDKs) — for the quickstart, the
// key-created panel (with the new key filled in) and the playground's "view code" (with its model and settings).
export type SnippetRequest = {
  /** The site's origin; the API is under /v1. */
  origin: string;
  /** The key itself (shown once, right after it is created); otherwise the code reads BOTMARA_API_KEY. */
  key?: string;
  model: string;
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  temperature?: number;
  maxTokens?: number;
};

export type Snippet = { id: "curl" | "python" | "typescript"; title: string; code: string };

const ENV_VAR = "BOTMARA_API_KEY";

/** A JSON value as a single-quoted shell word (a ' inside is closed, escaped and reopened). */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A Python literal for the messages (lists, dicts and strings: JSON's string escapes are Python's too). */
function python(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inner = `${indent}    `;
    return `[\n${value.map((v) => `${inner}${python(v, inner)},`).join("\n")}\n${indent}]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${python(v, indent)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

/** A TypeScript literal: JSON with unquoted keys where they are plain names. */
function typescript(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inner = `${indent}  `;
    return `[\n${value.map((v) => `${inner}${typescript(v, inner)},`).join("\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
    return `{ ${entries.map(([k, v]) => `${key(k)}: ${typescript(v, indent)}`).join(", ")} }`;
  }
  return JSON.stringify(value);
}

/** The request body's optional settings, in the API's own names. */
function settings(r: SnippetRequest): [string, number][] {
  const out: [string, number][] = [];
  if (r.temperature !== undefined) out.push(["temperature", r.temperature]);
  if (r.maxTokens !== undefined) out.push(["max_tokens", r.maxTokens]);
  return out;
}

export function chatSnippets(r: SnippetRequest): Snippet[] {
  const base = `${r.origin}/v1`;
  const extra = settings(r);
  const body = { model: r.model, messages: r.messages, ...Object.fromEntries(extra) };
  const curlKey = r.key ? r.key : `$${ENV_VAR}`;
  const curl = [
    `curl ${base}/chat/completions \\`,
    `  -H "Authorization: Bearer ${curlKey}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d ${shellQuote(JSON.stringify(body))}`,
  ].join("\n");
  const pyKey = r.key ? JSON.stringify(r.key) : `os.environ["${ENV_VAR}"]`;
  const py = [
    ...(r.key ? [] : ["import os", ""]),
    "from openai import OpenAI",
    "",
    `client = OpenAI(base_url=${JSON.stringify(base)}, api_key=${pyKey})`,
    "completion = client.chat.completions.create(",
    `    model=${JSON.stringify(r.model)},`,
    `    messages=${python(r.messages, "    ")},`,
    ...extra.map(([k, v]) => `    ${k}=${v},`),
    ")",
    "print(completion.choices[0].message.content)",
  ].join("\n");
  const tsKey = r.key ? JSON.stringify(r.key) : `process.env.${ENV_VAR}`;
  const ts = [
    'import OpenAI from "openai";',
    "",
    `const client = new OpenAI({ baseURL: ${JSON.stringify(base)}, apiKey: ${tsKey} });`,
    "const completion = await client.chat.completions.create({",
    `  model: ${JSON.stringify(r.model)},`,
    `  messages: ${typescript(r.messages, "  ")},`,
    ...extra.map(([k, v]) => `  ${k}: ${v},`),
    "});",
    "console.log(completion.choices[0].message.content);",
  ].join("\n");
  return [
    { id: "curl", title: "curl", code: curl },
    { id: "python", title: "Python (pip install openai)", code: py },
    { id: "typescript", title: "TypeScript (npm i openai)", code: ts },
  ];
}
