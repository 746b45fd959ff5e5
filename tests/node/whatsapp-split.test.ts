// Long WhatsApp replies are split where a reader would pause, never cut off.
import { describe, expect, it } from "vitest";
import { splitReply } from "../../worker/whatsapp/split";

describe("splitReply", () => {
  it("keeps a short reply whole", () => {
    expect(splitReply("  Hello there.  ")).toEqual(["Hello there."]);
  });

  it("splits between paragraphs first, and loses no words", () => {
    const a = "a".repeat(30);
    const b = "b".repeat(30);
    const c = "c".repeat(30);
    const parts = splitReply(`${a}\n\n${b}\n\n${c}`, 70);
    expect(parts).toEqual([`${a}\n\n${b}`, c]);
  });

  it("splits a long paragraph between sentences, then at spaces", () => {
    const text = "One two three. Four five six! Seven eight nine?";
    expect(splitReply(text, 20)).toEqual(["One two three.", "Four five six!", "Seven eight nine?"]);
    expect(splitReply("alpha beta gamma delta", 11)).toEqual(["alpha beta", "gamma delta"]);
  });

  it("cuts a single word longer than the limit, and every part fits", () => {
    const parts = splitReply("x".repeat(25), 10);
    expect(parts).toEqual(["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
    const long = Array.from({ length: 900 }, (_, i) => `Sentence number ${i} ends here.`).join(" ");
    const split = splitReply(long);
    expect(split.length).toBeGreaterThan(1);
    for (const p of split) expect(p.length).toBeLessThanOrEqual(4096);
    expect(split.join(" ")).toBe(long);
  });
});
