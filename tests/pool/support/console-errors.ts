// A workerd test fails if anything logs console.error it did not declare: an error nobody expected is a
// bug, even when the assertions pass. A test that provokes one says so with expectConsoleError(pattern),
// which is an assertion too — the declared error must then actually be logged.
import { afterEach, beforeEach } from "vitest";

type Expected = { pattern: RegExp; seen: number };
type Watch = { lines: string[]; expected: Expected[] };

// On globalThis, so the setup file and the test modules share one record whatever the module graph.
const WATCH = Symbol.for("botmara.console-errors");
const host = globalThis as unknown as { [WATCH]?: Watch };

function watch(): Watch {
  if (!host[WATCH]) {
    const state: Watch = { lines: [], expected: [] };
    const original = console.error.bind(console);
    console.error = (...args: unknown[]) => {
      state.lines.push(
        args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(" "),
      );
      original(...args);
    };
    host[WATCH] = state;
  }
  return host[WATCH];
}

/** Declares that the current test logs a console.error matching `pattern` (at least once). */
export function expectConsoleError(pattern: RegExp): void {
  watch().expected.push({ pattern, seen: 0 });
}

/** Installs the check: every test starts with an empty record and fails on what it did not declare. */
export function failOnConsoleErrors(): void {
  watch();
  beforeEach(() => {
    const state = watch();
    state.lines = [];
    state.expected = [];
  });
  afterEach(() => {
    const state = watch();
    const unexpected = state.lines.filter((line) => {
      const match = state.expected.find((e) => e.pattern.test(line));
      if (match) match.seen += 1;
      return !match;
    });
    const missing = state.expected.filter((e) => e.seen === 0).map((e) => String(e.pattern));
    state.lines = [];
    state.expected = [];
    if (unexpected.length > 0) {
      throw new Error(
        `console.error was logged and not declared (use expectConsoleError from tests/pool/support/console-errors.ts if it is expected):\n${unexpected.join("\n")}`,
      );
    }
    if (missing.length > 0) throw new Error(`expected console.error never logged: ${missing.join(", ")}`);
  });
}
