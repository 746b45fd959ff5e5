// STOP and START, honoured before any model call: after STOP the provider sees nothing and the contact gets
// one confirmation; START brings the bot back. Keywords are per number, with localised defaults.
import { describe, expect, it } from "vitest";
import { marker, openaiFake, received } from "../support/ai-helpers";
import { call } from "../support/helpers";
import { connectedUser, customerNumber, messageRow, say, sentFrom } from "../support/whatsapp-helpers";

const MODEL = "openai/gpt-4o-mini";

describe("opt-out", () => {
  it("after STOP the model is never asked, the contact is confirmed once, and START resumes", async () => {
    const user = await connectedUser({ model: MODEL });
    const from = customerNumber();
    const stop = await say(user, from, "Stop!");
    expect(await sentFrom(user.phoneNumberId)).toMatchObject([
      { to: from, text: expect.stringContaining("Reply START") },
    ]);
    expect(await messageRow(user.accountId, stop.id)).toMatchObject({ status: "replied" });

    const tag = marker("after-stop");
    const ignored = await say(user, from, `Are you open today? ${tag}`);
    const again = await say(user, from, "STOP");
    expect(await received(openaiFake(), tag)).toEqual([]);
    expect(await messageRow(user.accountId, ignored.id)).toMatchObject({ status: "opted_out", error: null });
    expect(await messageRow(user.accountId, again.id)).toMatchObject({ status: "opted_out" });
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);

    // Another contact of the same number is not affected.
    const other = marker("other");
    await say(user, customerNumber(), `Hello ${other}`);
    expect(await received(openaiFake(), other)).toHaveLength(1);

    await say(user, from, "start");
    const sent = await sentFrom(user.phoneNumberId);
    expect(sent.filter((m) => m.to === from)).toHaveLength(2);
    expect(sent.at(-1)!.text).toMatch(/subscribed again/);
    const back = marker("back");
    await say(user, from, `Are you open today? ${back}`);
    expect(await received(openaiFake(), back)).toHaveLength(1);
  });

  it("understands the localised defaults and only a whole-message keyword", async () => {
    const user = await connectedUser({ model: MODEL });
    for (const word of ["Arrêt", "STOPP", "alto."]) {
      const from = customerNumber();
      await say(user, from, word);
      const tag = marker("loc");
      await say(user, from, `hola ${tag}`);
      expect(await received(openaiFake(), tag), word).toEqual([]);
    }
    const tag = marker("sentence");
    await say(user, customerNumber(), `Please stop my order ${tag}`);
    expect(await received(openaiFake(), tag)).toHaveLength(1);
  });

  it("uses the number's own keywords when it set them", async () => {
    const user = await connectedUser({
      model: MODEL,
      stopKeywords: ["ABBESTELLEN"],
      startKeywords: ["WEITER"],
    });
    const view = await (await call("/api/whatsapp", { cookie: user.cookie })).json();
    expect(view).toMatchObject({ optOut: { stopKeywords: ["ABBESTELLEN"], startKeywords: ["WEITER"] } });
    const from = customerNumber();
    const tag = marker("custom");
    await say(user, from, `STOP ${tag}`);
    expect(await received(openaiFake(), tag)).toHaveLength(1);
    await say(user, from, "abbestellen");
    expect((await sentFrom(user.phoneNumberId)).at(-1)!.text).toContain("Reply WEITER");
    const after = marker("custom-after");
    await say(user, from, `hallo ${after}`);
    expect(await received(openaiFake(), after)).toEqual([]);
  });
});
