// A fake Meta Graph API on loopback: `POST /v21.0/{phone_number_id}/messages` records the message and answers
// like the Cloud API. Control API: GET /__messages?phone_number_id= lists what was sent (per number, so parallel
// tests don't see each other's), POST /__script {phoneNumberId, status, times, code?} makes the next `times`
// sends from that number fail with that HTTP status and Graph error code.
// Media as Meta documents it: POST /__media {id, mimeType, base64} uploads a customer's file; `GET /v21.0/{media-id}`
// (with a bearer token) answers {messaging_product, url, mime_type, sha256, file_size, id}, and the url
// (`/__media/{id}`) answers the bytes only with the bearer token, like Meta's lookaside URLs.
// `GET /v21.0/{phone_number_id}` answers the number's fields (proof of control before connecting) to any
// bearer token, unless POST /__owner {phoneNumberId, accessToken} named the one token that controls it; a
// token that does not gets Graph's "does not exist or missing permissions" error (code 100, subcode 33).
import { createHash, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createFakeServer, readBody } from "./http";

// Templates as Meta documents them: POST /__templates {wabaId, phoneNumberIds, templates} sets a business
// account's templates (Meta's shape: {id, name, language, status, category, parameter_format, components});
// `GET /v21.0/{waba-id}/message_templates?limit=&after=` lists them in pages ({data, paging: {cursors, next}}).
// A business account nobody set has Meta's starter templates (DEFAULT_TEMPLATES: hello_world, as every new
// account gets, and a follow-up with one parameter), so `npm start -- --fakes` has something to show.
// A `type: "template"` send from one of those numbers is checked like Meta does: unknown name/language → 132001,
// paused → 132015, disabled → 132016, wrong body parameter count → 132000.
// POST /__window {phoneNumberId, to, closed} closes (or reopens) the 24-hour window for that pair: free-form sends
// then fail with 131047 "Re-engagement message", templates still go.
// Mark as read (with the typing indicator), as Meta documents it: `POST /v21.0/{phone_number_id}/messages` with
// {messaging_product, status: "read", message_id, typing_indicator?: {type: "text"}} answers {success: true};
// GET /__reads?phone_number_id= lists them. Scripted failures apply to sends only.

type SentMessage = {
  id: string;
  phoneNumberId: string;
  authorization: string | undefined;
  to: string;
  text: string;
  body: unknown;
  at: string;
};

/** A template as Meta lists it, and as a test scripts the fake with (`POST /__templates`). */
export type FakeTemplate = {
  id: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  parameter_format?: string;
  components: { type: string; text?: string; format?: string }[];
};

const DEFAULT_TEMPLATES: FakeTemplate[] = [
  {
    id: "1027341712345678",
    name: "hello_world",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    parameter_format: "POSITIONAL",
    components: [
      { type: "HEADER", format: "TEXT", text: "Hello World" },
      {
        type: "BODY",
        text: "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.",
      },
      { type: "FOOTER", text: "WhatsApp Business Platform sample message" },
    ],
  },
  {
    id: "1027341787654321",
    name: "conversation_follow_up",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    parameter_format: "POSITIONAL",
    components: [
      {
        type: "BODY",
        text: "Hi {{1}}, thanks for your message. Reply to this one and we will answer right away.",
      },
    ],
  },
];

/** The body's placeholders ({{1}}, {{name}}), distinct, as Meta counts them. */
const bodyPlaceholders = (t: FakeTemplate) => {
  const text = t.components.find((c) => c.type === "BODY")?.text ?? "";
  return [...new Set([...text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!))];
};

type Script = { status: number; times: number; code: number };

export type FakeGraph = { url: string; baseUrl: string; close: () => Promise<void> };

const GRAPH_VERSION = "v21.0";

const graphError = (message: string, code: number, type = "OAuthException") => ({
  error: { message, type, code, fbtrace_id: randomUUID().replaceAll("-", "").slice(0, 24) },
});

export async function startFakeGraph(port = 0): Promise<FakeGraph> {
  const sent: SentMessage[] = [];
  const reads: { phoneNumberId: string; messageId: string; typing: boolean; at: string }[] = [];
  const scripts = new Map<string, Script>();
  const owners = new Map<string, string>();
  const media = new Map<string, { mimeType: string; bytes: Buffer }>();
  const templates = new Map<string, FakeTemplate[]>();
  const wabaOf = new Map<string, string>();
  const closedWindows = new Set<string>();

  const send = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };

  const server = createFakeServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const raw = await readBody(req);
    if (req.method === "GET" && url.pathname === "/__messages") {
      const number = url.searchParams.get("phone_number_id");
      return send(res, 200, { data: sent.filter((m) => !number || m.phoneNumberId === number) });
    }
    if (req.method === "GET" && url.pathname === "/__reads") {
      const number = url.searchParams.get("phone_number_id");
      return send(res, 200, { data: reads.filter((m) => !number || m.phoneNumberId === number) });
    }
    if (req.method === "POST" && url.pathname === "/__script") {
      const s = JSON.parse(raw) as { phoneNumberId: string; status: number; times?: number; code?: number };
      scripts.set(s.phoneNumberId, { status: s.status, times: s.times ?? 1, code: s.code ?? 131000 });
      return send(res, 200, { ok: true });
    }
    if (req.method === "POST" && url.pathname === "/__owner") {
      const o = JSON.parse(raw) as { phoneNumberId: string; accessToken: string };
      owners.set(o.phoneNumberId, o.accessToken);
      return send(res, 200, { ok: true });
    }
    if (req.method === "POST" && url.pathname === "/__templates") {
      const t = JSON.parse(raw) as { wabaId: string; phoneNumberIds?: string[]; templates: FakeTemplate[] };
      templates.set(t.wabaId, t.templates);
      for (const id of t.phoneNumberIds ?? []) wabaOf.set(id, t.wabaId);
      return send(res, 200, { ok: true });
    }
    if (req.method === "POST" && url.pathname === "/__window") {
      const w = JSON.parse(raw) as { phoneNumberId: string; to: string; closed: boolean };
      const key = `${w.phoneNumberId}|${w.to}`;
      if (w.closed) closedWindows.add(key);
      else closedWindows.delete(key);
      return send(res, 200, { ok: true });
    }
    const templateList = url.pathname.match(/^\/v\d+\.\d+\/(\d+)\/message_templates$/);
    if (req.method === "GET" && templateList) {
      if (!req.headers.authorization?.startsWith("Bearer "))
        return send(res, 400, graphError("An active access token must be used.", 2500));
      const all = templates.get(templateList[1]!) ?? DEFAULT_TEMPLATES;
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 25) || 25, 100);
      const start = Number(url.searchParams.get("after") ?? 0) || 0;
      const page = all.slice(start, start + limit);
      const after = start + page.length;
      return send(res, 200, {
        data: page,
        paging: {
          cursors: { before: String(start), after: String(after) },
          ...(after < all.length
            ? { next: `http://${req.headers.host}${url.pathname}?limit=${limit}&after=${after}` }
            : {}),
        },
      });
    }
    if (req.method === "POST" && url.pathname === "/__media") {
      const m = JSON.parse(raw) as { id: string; mimeType: string; base64: string };
      media.set(m.id, { mimeType: m.mimeType, bytes: Buffer.from(m.base64, "base64") });
      return send(res, 200, { ok: true });
    }
    const download = url.pathname.match(/^\/__media\/(\d+)$/);
    if (req.method === "GET" && download) {
      const file = media.get(download[1]!);
      if (!req.headers.authorization?.startsWith("Bearer "))
        return send(res, 401, graphError("No token", 190));
      if (!file) return send(res, 404, graphError("Unknown media", 100));
      res.writeHead(200, { "content-type": file.mimeType, "content-length": String(file.bytes.length) });
      return res.end(file.bytes);
    }
    const numberPath = url.pathname.match(/^\/v\d+\.\d+\/(\d+)$/);
    if (req.method === "GET" && numberPath) {
      const id = numberPath[1]!;
      const token = req.headers.authorization?.replace(/^Bearer /, "");
      if (!token) return send(res, 400, graphError("An active access token must be used.", 2500));
      const file = media.get(id);
      if (file) {
        return send(res, 200, {
          messaging_product: "whatsapp",
          url: `http://${req.headers.host}/__media/${id}`,
          mime_type: file.mimeType,
          sha256: createHash("sha256").update(file.bytes).digest("hex"),
          file_size: file.bytes.length,
          id,
        });
      }
      const owner = owners.get(id);
      if (owner !== undefined && owner !== token) {
        return send(res, 400, {
          error: {
            ...graphError(
              `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
              100,
              "GraphMethodException",
            ).error,
            error_subcode: 33,
          },
        });
      }
      return send(res, 200, {
        id,
        display_phone_number: `+1 555-${id.slice(-7, -4)}-${id.slice(-4)}`,
        verified_name: "Test Business",
        quality_rating: "GREEN",
      });
    }
    const match = url.pathname.match(/^\/v\d+\.\d+\/([^/]+)\/messages$/);
    if (req.method !== "POST" || !match) return send(res, 404, graphError("Unknown path", 803));
    const phoneNumberId = decodeURIComponent(match[1]!);
    if (!req.headers.authorization?.startsWith("Bearer ")) {
      return send(res, 401, graphError("An access token is required.", 190));
    }
    let body: {
      messaging_product?: string;
      to?: string;
      type?: string;
      text?: { body?: string };
      template?: {
        name?: string;
        language?: { code?: string };
        components?: { type?: string; parameters?: { type?: string; text?: string }[] }[];
      };
      status?: string;
      message_id?: string;
      typing_indicator?: { type?: string };
    };
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, 400, graphError("Invalid JSON", 100));
    }
    if (body.status !== undefined) {
      const typing = body.typing_indicator;
      if (
        body.messaging_product !== "whatsapp" ||
        body.status !== "read" ||
        !body.message_id?.startsWith("wamid.") ||
        (typing !== undefined && typing.type !== "text")
      )
        return send(res, 400, graphError("Invalid parameter", 100));
      reads.push({
        phoneNumberId,
        messageId: body.message_id,
        typing: typing !== undefined,
        at: new Date().toISOString(),
      });
      return send(res, 200, { success: true });
    }
    const script = scripts.get(phoneNumberId);
    if (script && script.times > 0) {
      script.times -= 1;
      return send(res, script.status, graphError("Scripted failure", script.code));
    }
    if (body.type === "template") return sendTemplate(res, phoneNumberId, req.headers.authorization, body);
    if (body.messaging_product !== "whatsapp" || !body.to || body.type !== "text" || !body.text?.body) {
      return send(res, 400, graphError("Invalid parameter", 100));
    }
    if (body.text.body.length > 4096) return send(res, 400, graphError("Text too long", 100));
    if (closedWindows.has(`${phoneNumberId}|${body.to}`)) {
      return send(res, 400, {
        error: {
          ...graphError("(#131047) Re-engagement message", 131047).error,
          error_data: {
            messaging_product: "whatsapp",
            details:
              "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
          },
        },
      });
    }
    const id = `wamid.fake-${randomUUID()}`;
    sent.push({
      id,
      phoneNumberId,
      authorization: req.headers.authorization,
      to: body.to,
      text: body.text.body,
      body,
      at: new Date().toISOString(),
    });
    send(res, 200, {
      messaging_product: "whatsapp",
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [{ id }],
    });
  });
  function sendTemplate(
    res: ServerResponse,
    phoneNumberId: string,
    authorization: string | undefined,
    body: {
      messaging_product?: string;
      to?: string;
      template?: {
        name?: string;
        language?: { code?: string };
        components?: { type?: string; parameters?: { type?: string; text?: string }[] }[];
      };
    },
  ) {
    const t = body.template;
    if (body.messaging_product !== "whatsapp" || !body.to || !t?.name || !t.language?.code)
      return send(res, 400, graphError("Invalid parameter", 100));
    const waba = wabaOf.get(phoneNumberId);
    const known = (waba ? (templates.get(waba) ?? []) : DEFAULT_TEMPLATES).find(
      (x) => x.name === t.name && x.language === t.language?.code,
    );
    if (!known)
      return send(res, 404, graphError("(#132001) Template name does not exist in the translation", 132001));
    if (known.status === "PAUSED") return send(res, 400, graphError("(#132015) Template is paused", 132015));
    if (known.status !== "APPROVED")
      return send(res, 400, graphError("(#132016) Template is disabled", 132016));
    const params = t.components?.find((c) => c.type === "body")?.parameters ?? [];
    if (params.length !== bodyPlaceholders(known).length || params.some((p) => p.type !== "text" || !p.text))
      return send(
        res,
        400,
        graphError("(#132000) Number of parameters does not match the expected number of params", 132000),
      );
    const id = `wamid.fake-${randomUUID()}`;
    sent.push({
      id,
      phoneNumberId,
      authorization,
      to: body.to,
      text: `[template ${t.name}] ${params.map((p) => p.text).join(" | ")}`,
      body,
      at: new Date().toISOString(),
    });
    send(res, 200, {
      messaging_product: "whatsapp",
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [{ id, message_status: "accepted" }],
    });
  }

  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${bound}`;
  return {
    url,
    baseUrl: `${url}/${GRAPH_VERSION}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
