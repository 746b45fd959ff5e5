// Where to go after logging in: only a path on this origin, so `next=` can never send anyone elsewhere.

const FALLBACK = "/dashboard";
const BASE = "https://next.invalid";

/** True when a browser could read the path as naming another host, or it hides characters parsers drop. */
function unsafe(path: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  return path[0] !== "/" || path[1] === "/" || path[1] === "\\" || /[\u0000-\u0020\u007f\\]/.test(path);
}

/**
 * `next` as a same-origin path, or /dashboard. Refuses anything a browser could read as another host:
 * `//evil`, `/\evil` (browsers treat \ as /), control characters and whitespace (URL parsers drop tabs
 * and newlines, so `/%09/evil` decodes to `/\t/evil` and then to `//evil`), and absolute URLs. The check runs
 * again on the path as the URL parser normalised it: dot segments (`/.//evil`, `/..//evil`, `/%2e//evil`)
 * collapse to `//evil` only there.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || unsafe(next)) return FALLBACK;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return FALLBACK;
  }
  if (url.origin !== BASE || unsafe(url.pathname)) return FALLBACK;
  return `${url.pathname}${url.search}${url.hash}`;
}
