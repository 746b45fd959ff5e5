// The one logger: JSON lines {level,msg,requestId,route,method,status,durationMs,error:{name,cause,frame}} built
// only from fields that cannot carry content. Never a body, a bound parameter, a message, an email, a key or
// token, a query string: error messages are dropped (drizzle's carry `params`), and every string is scrubbed.

/** @internal */
export type LogLevel = "info" | "warn" | "error";

/** Fixed labels only (a job's name, an error code); any string is scrubbed anyway. */
export type LogFields = {
  requestId?: string;
  route?: string;
  method?: string;
  status?: number;
  durationMs?: number;
  code?: string;
  error?: unknown;
  [label: string]: unknown;
};

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*/g;
const QUERY = /\?[^\s)"'#]*/g;
const KEY = /\b(?:sk|pk|rk|whsec|bm|bmk|key|tok)[-_][A-Za-z0-9_-]{6,}/gi;
const TOKEN = /[A-Za-z0-9+_=-]{32,}/g;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;
const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;
const ID_FIELDS = ["requestId", "xRequestId", "keyId", "accountRef"] as const;
/** An error code is lowercase words joined by underscores (`key_spend_limit_reached`): no key or token looks so. */
const ERROR_CODE = /^[a-z]+(?:_[a-z]+)*$/;

/**
 * What may be left of a string: no emails, query strings, keys, long tokens or addresses; at most 200 chars.
 * @internal
 */
export function scrub(value: string): string {
  return value
    .replace(QUERY, "")
    .replace(EMAIL, "[email]")
    .replace(KEY, "[secret]")
    .replace(TOKEN, "[redacted]")
    .replace(IPV4, "[ip]")
    .slice(0, 200);
}

/** An error reduced to its name, its cause's name and the first frame of its stack: never its message. */
/** drizzle's query error keeps the base name "Error"; it is recognised by the query and params it carries. */
function errorName(error: Error): string {
  if (error.name === "Error" && "query" in error && "params" in error) return "DrizzleQueryError";
  return error.name;
}

/** @internal */
export function describeError(error: unknown): { name: string; cause?: string; frame?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  const cause = error.cause instanceof Error ? scrub(error.cause.name) : undefined;
  // The stack starts with "Name: message" — the message may span lines (drizzle's "params: …"), so skip it.
  const head = `${error.name}: ${error.message}`;
  const stack = error.stack ?? "";
  const frames = stack.startsWith(head) ? stack.slice(head.length) : stack.split("\n").slice(1).join("\n");
  const frame = frames
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line.startsWith("at "));
  return {
    name: scrub(errorName(error)),
    ...(cause ? { cause } : {}),
    ...(frame ? { frame: scrub(frame) } : {}),
  };
}

function field(value: unknown): unknown {
  if (typeof value === "string") return scrub(value);
  if (typeof value === "number" || typeof value === "boolean") return value;
  return undefined; // objects, arrays, bodies: never
}

/** The line's fields, each kept only if it cannot carry content. */
function safeLine(level: LogLevel, msg: string, fields: LogFields): Record<string, unknown> {
  const { error, code, ...rest } = fields;
  const line: Record<string, unknown> = { level, msg: scrub(msg) };
  // Ids are kept whole (they look like tokens to scrub) but only when they are nothing but an id: the request's,
  // the key's (its row id, never its secret) and the account's pseudonymous reference.
  for (const name of ID_FIELDS) {
    const id = rest[name];
    delete rest[name];
    if (typeof id === "string" && REQUEST_ID.test(id)) line[name] = id;
  }
  // A code is kept whole when it is one ("key_revoked" would read as a key to scrub); anything else is scrubbed.
  if (typeof code === "string") line.code = ERROR_CODE.test(code) && code.length <= 64 ? code : scrub(code);
  for (const [name, value] of Object.entries(rest)) {
    const safe = field(value);
    if (safe !== undefined) line[name] = safe;
  }
  if (error !== undefined) line.error = describeError(error);
  return line;
}

/**
 * One JSON line. `msg` is a fixed sentence chosen by the caller; it is scrubbed like every other string.
 * @internal
 */
export function formatLine(level: LogLevel, msg: string, fields: LogFields = {}): string {
  return JSON.stringify(safeLine(level, msg, fields));
}

/**
 * The same fields as one line a person reads in a terminal (`npm start`):
 * `WARN 401 POST /v1/chat/completions invalid_api_key 3 ms — Invalid API key. requestId=… keyId=…`.
 * @internal
 */
export function formatHumanLine(level: LogLevel, msg: string, fields: LogFields = {}): string {
  const {
    level: _,
    msg: text,
    status,
    method,
    route,
    code,
    durationMs,
    error,
    ...rest
  } = safeLine(level, msg, fields);
  const head = [
    level.toUpperCase(),
    status,
    method,
    route,
    code,
    durationMs === undefined ? undefined : `${durationMs} ms`,
  ]
    .filter((part) => part !== undefined)
    .join(" ");
  const failure = error as { name: string; frame?: string } | undefined;
  const tail = Object.entries(rest).map(([name, value]) => `${name}=${value}`);
  if (failure) tail.push(`error=${failure.name}${failure.frame ? ` (${failure.frame})` : ""}`);
  return [head, "—", text, ...tail].join(" ");
}

let render = formatLine;

/** JSON lines (the default) or human ones; set from the config on each request (LOG_FORMAT). */
export function useLogFormat(format: "json" | "human"): void {
  render = format === "human" ? formatHumanLine : formatLine;
}

export const log = {
  info: (msg: string, fields?: LogFields) => console.info(render("info", msg, fields)),
  warn: (msg: string, fields?: LogFields) => console.warn(render("warn", msg, fields)),
  error: (msg: string, fields?: LogFields) => console.error(render("error", msg, fields)),
};
