// Where to go after logging in: only a path on this origin, so `next=` can never send anyone elsewhere.

const FALLBACK = "/dashboard";
const BASE = "https://next.invalid";

/**
 * `next` as a same-origin path, or /dashboard. Refuses anything a browser could read as another host:
 * `//evil`, `/\evil` (browsers treat \ as /), control characters and whitespace (URL parsers drop tabs
 * and newlines, so `/%09/evil` decodes to `/\t/evil` and then to `//evil`), and absolute URLs.
 */
export function safeNext(next: string | null | undefined): string {
  if (next?.[0] !== "/" || next[1] === "/" || next[1] === "\\") return FALLBACK;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (/[\u0000-\u0020\u007f\\]/.test(next)) return FALLBACK;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return FALLBACK;
  }
  if (url.origin !== BASE) return FALLBACK;
  return `${url.pathname}${url.search}${url.hash}`;
}
