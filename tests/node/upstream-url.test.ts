// The one rule for outbound base URLs: https always, plain http only to loopback and only in local mode.
import { describe, expect, it } from "vitest";
import { upstreamUrlProblem } from "#worker/security/upstream-url";

describe("upstreamUrlProblem", () => {
  it("allows https anywhere and loopback http only in local mode", () => {
    expect(upstreamUrlProblem(false, "OPENAI_BASE_URL", "https://api.openai.com/v1")).toBeUndefined();
    expect(upstreamUrlProblem(true, "OPENAI_BASE_URL", "http://127.0.0.1:8787/v1")).toBeUndefined();
    expect(upstreamUrlProblem(false, "OPENAI_BASE_URL", "http://127.0.0.1:8787/v1")).toMatch(
      /only on loopback in local mode/,
    );
    expect(upstreamUrlProblem(true, "OPENAI_BASE_URL", "http://example.com/v1")).toMatch(/must use https/);
    expect(upstreamUrlProblem(true, "STRIPE_API_BASE_URL", "not a url")).toBe(
      "STRIPE_API_BASE_URL is not a URL.",
    );
  });

  it("answers each combination on its own, however often and in whatever order it is asked", () => {
    const url = "http://localhost:9/v1";
    for (let round = 0; round < 3; round++) {
      expect(upstreamUrlProblem(true, "A_BASE_URL", url)).toBeUndefined();
      expect(upstreamUrlProblem(false, "A_BASE_URL", url)).toMatch(/^A_BASE_URL uses plain http/);
      expect(upstreamUrlProblem(false, "B_BASE_URL", url)).toMatch(/^B_BASE_URL uses plain http/);
    }
    // More settings than are remembered: the answers stay right after the memory is cleared.
    for (let i = 0; i < 200; i++)
      expect(upstreamUrlProblem(false, `S${i}`, `http://h${i}.example`)).toMatch(/^S\d+ must/);
    expect(upstreamUrlProblem(false, "A_BASE_URL", url)).toMatch(/^A_BASE_URL uses plain http/);
  });
});
