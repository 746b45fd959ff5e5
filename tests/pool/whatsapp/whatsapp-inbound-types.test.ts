// Every inbound type Meta documents is understood: captions as text, button and list replies as title and
// payload, locations and contacts as text, quoted replies with the quoted text, images and documents fetched
// from Graph into memory and passed to a model that can see. Payloads as in Meta's webhook reference.
import { describe, expect, it } from "vitest";
import { VOICE_FALLBACK_REPLY } from "#worker/whatsapp/answer";
import { marker, openaiFake, received } from "../support/ai-helpers";
import { countRows } from "../support/d1-count";
import { call } from "../support/helpers";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  graphOrigin,
  messageRow,
  notification,
  sentFrom,
  wamid,
} from "../support/whatsapp-helpers";

const VISION_MODEL = "openai/gpt-4o-mini";
const mediaId = () => String(Math.floor(Math.random() * 1e15)).padStart(15, "7");

/** Puts a customer's file on the fake Graph API, as Meta holds it until we download it. */
async function uploadMedia(id: string, mimeType: string, bytes: Uint8Array) {
  await fetch(`${graphOrigin()}/__media`, {
    method: "POST",
    body: JSON.stringify({ id, mimeType, base64: btoa(String.fromCharCode(...bytes)) }),
  });
}

const message = (from: string, type: string, fields: Record<string, unknown>) => ({
  from,
  id: wamid(),
  timestamp: String(Math.floor(Date.now() / 1000)),
  type,
  ...fields,
});

type Part = { type: string; text?: string; image_url?: { url: string } };
type Asked = { model: string; messages: { role: string; content: string | Part[] }[] };

/** Delivers one message to a number answered by the vision model; returns what the model was asked. */
async function ask(type: string, fields: Record<string, unknown>, tag: string, overrides = {}) {
  const user = await connectedUser({ model: VISION_MODEL, ...overrides });
  const m = message(customerNumber(), type, fields);
  await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [m] }));
  const [request] = await received(openaiFake(), tag);
  expect(request, `the model was asked about the ${type} message`).toBeDefined();
  const body = JSON.parse(request!.body) as Asked;
  return { user, m, turn: body.messages.at(-1)!.content };
}

const textOf = (content: string | Part[]) =>
  typeof content === "string" ? content : content.map((p) => p.text ?? "").join("\n");

describe("inbound message types", () => {
  it("reads an image's caption and shows the image itself to a model with vision, kept in memory only", async () => {
    const tag = marker("caption");
    const id = mediaId();
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 1, 2, 3, 4]);
    await uploadMedia(id, "image/png", bytes);
    const { user, m, turn } = await ask(
      "image",
      { image: { caption: `Is this product in stock? ${tag}`, mime_type: "image/png", sha256: "x", id } },
      tag,
    );
    expect(Array.isArray(turn)).toBe(true);
    const parts = turn as Part[];
    expect(parts[0]!.text).toContain(`Is this product in stock? ${tag}`);
    expect(parts[1]).toEqual({
      type: "image_url",
      image_url: { url: `data:image/png;base64,${btoa(String.fromCharCode(...bytes))}` },
    });
    expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "replied" });
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_pending WHERE account_id = ?", user.accountId),
    ).toBe(0);
  });

  it("tells a model without vision what was sent instead of pretending to see it", async () => {
    const id = mediaId();
    await uploadMedia(id, "image/jpeg", new Uint8Array([0xff, 0xd8, 0xff, 1]));
    const user = await connectedUser(); // dev/echo: no vision; its answer echoes the prompt
    const m = message(customerNumber(), "image", {
      image: { caption: "Is this in stock?", mime_type: "image/jpeg", sha256: "x", id },
    });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [m] }));
    const [reply] = await sentFrom(user.phoneNumberId);
    expect(reply!.text).toContain("an image that this assistant cannot open");
    expect(reply!.text).toContain("Is this in stock?");
  });

  it("reads a text document fetched from Graph", async () => {
    const tag = marker("doc");
    const id = mediaId();
    await uploadMedia(id, "text/plain", new TextEncoder().encode(`Order list: 3 cakes ${tag}`));
    const { turn } = await ask(
      "document",
      { document: { filename: "order.txt", mime_type: "text/plain", sha256: "x", id } },
      tag,
    );
    expect(textOf(turn)).toContain(`order.txt:)\nOrder list: 3 cakes ${tag}`);
  });

  it("reads an interactive button reply as its title and payload", async () => {
    const tag = marker("btn");
    const { turn } = await ask(
      "interactive",
      { interactive: { type: "button_reply", button_reply: { id: `yes-${tag}`, title: "Yes please" } } },
      tag,
    );
    expect(textOf(turn)).toBe(`Yes please\n(chosen option: yes-${tag})`);
  });

  it("reads a list reply as its title, description and payload", async () => {
    const tag = marker("list");
    const { turn } = await ask(
      "interactive",
      {
        interactive: {
          type: "list_reply",
          list_reply: { id: `row-${tag}`, title: "Sourdough", description: "Baked at 7" },
        },
      },
      tag,
    );
    expect(textOf(turn)).toBe(`Sourdough\nBaked at 7\n(chosen option: row-${tag})`);
  });

  it("reads a template's quick-reply button as its text and payload", async () => {
    const tag = marker("qr");
    const { turn } = await ask("button", { button: { text: "Stop promotions", payload: tag } }, tag);
    expect(textOf(turn)).toBe(`Stop promotions\n(button payload: ${tag})`);
  });

  it("reads a shared location as text", async () => {
    const tag = marker("loc");
    const { turn } = await ask(
      "location",
      { location: { latitude: 52.52, longitude: 13.405, name: `Bakery ${tag}`, address: "Main St 1" } },
      tag,
    );
    expect(textOf(turn)).toBe(`Shared location: Bakery ${tag}, Main St 1 (latitude 52.52, longitude 13.405)`);
  });

  it("reads shared contacts as text", async () => {
    const tag = marker("card");
    const { turn } = await ask(
      "contacts",
      {
        contacts: [
          {
            name: { formatted_name: `Ann ${tag}`, first_name: "Ann" },
            phones: [{ phone: "+1 555 0100", wa_id: "15550100", type: "CELL" }],
          },
        ],
      },
      tag,
    );
    expect(textOf(turn)).toBe(`Shared contact: Ann ${tag}, +1 555 0100`);
  });

  it("asks for text, without inventing what it said, when a voice note cannot be downloaded", async () => {
    // Transcribed voice notes: whatsapp-voice.test.ts. This one Graph no longer holds.
    const user = await connectedUser();
    const m = message(customerNumber(), "audio", {
      audio: { mime_type: "audio/ogg; codecs=opus", sha256: "x", id: mediaId(), voice: true },
    });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [m] }));
    const [reply] = await sentFrom(user.phoneNumberId);
    expect(reply!.text).toBe(VOICE_FALLBACK_REPLY);
  });

  it("carries the quoted text into the prompt when the conversation is kept (logging on)", async () => {
    const user = await connectedUser({ model: VISION_MODEL });
    const on = await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: true },
      cookie: user.cookie,
    });
    expect(on.status).toBe(200);
    const from = customerNumber();
    const first = message(from, "text", { text: { body: "Do you deliver?" } });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [first] }));
    const [ourReply] = await sentFrom(user.phoneNumberId);
    const tag = marker("quote");
    const follow = message(from, "text", {
      text: { body: `How much does that cost? ${tag}` },
      context: { from: "15550001111", id: ourReply!.id },
    });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [follow] }));
    const [request] = await received(openaiFake(), tag);
    const body = JSON.parse(request!.body) as Asked;
    expect(textOf(body.messages.at(-1)!.content)).toBe(
      `(Replying to: "${ourReply!.text}")\nHow much does that cost? ${tag}`,
    );
  });
});
