// The one rule for every outbound base URL (AI providers, Stripe, Graph, mail): https always; plain http
// only to a loopback host, and only when the process serving the Worker says it is local (LOCAL_MODE).
import { AppError } from "../errors";
import { isLoopbackHost } from "./loopback";

export function isLoopback(url: URL): boolean {
  return isLoopbackHost(url.hostname);
}

/** Answers already worked out: the settings are a handful of strings fixed for the isolate's life, read per call. */
const answers = new Map<string, string | undefined>();
const ANSWERS_KEPT = 64;

/** Why `value` (the setting `setting`) may not be called, or undefined when it may. */
export function upstreamUrlProblem(localMode: boolean, setting: string, value: string): string | undefined {
  const key = `${localMode ? 1 : 0} ${setting} ${value}`;
  if (answers.has(key)) return answers.get(key);
  const problem = judge(localMode, setting, value);
  if (answers.size >= ANSWERS_KEPT) answers.clear();
  answers.set(key, problem);
  return problem;
}

function judge(localMode: boolean, setting: string, value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${setting} is not a URL.`;
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && localMode && isLoopback(url)) return undefined;
  if (url.protocol === "http:" && isLoopback(url))
    return `${setting} uses plain http, which is allowed only on loopback in local mode (npm start, npm run dev, the tests); a deployed Worker needs https.`;
  return `${setting} must use https (plain http is allowed only on loopback in local mode).`;
}

/** Throws a 503 naming the setting when its URL breaks the rule; returns the parsed URL otherwise. */
export function checkUpstreamUrl(localMode: boolean, setting: string, value: string): URL {
  const problem = upstreamUrlProblem(localMode, setting, value);
  if (problem) throw new AppError(503, problem, { code: "insecure_upstream", type: "api_error" });
  return new URL(value);
}
