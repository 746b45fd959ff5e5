// A fake of Resend's email API on loopback (POST /emails, Bearer key, JSON body, Idempotency-Key kept as
// Resend keeps it: the same key and body answer the first response again without sending twice; the same
// key with another body is a 409). Control API: GET /__requests[?to=] lists the emails accepted;
// POST /__script {to, status?, delayMs?, times?} makes the next `times` sends to `to` answer `status`, or
// answer only after `delayMs` (the email is accepted all the same, as a slow provider would).
import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createFakeServer, readBody } from "./http";

export type FakeMail = { url: string; close: () => Promise<void> };

export type SentEmail = {
  id: string;
  idempotencyKey: string | null;
  authorization: string | null;
  body: {
    from: string;
    to: string[];
    subject: string;
    text?: string;
    tags?: { name: string; value: string }[];
  };
};

type Script = { status?: number; delayMs?: number; times: number };

function resendError(res: ServerResponse, statusCode: number, name: string, message: string) {
  res.writeHead(statusCode, { "content-type": "application/json" });
  res.end(JSON.stringify({ statusCode, name, message }));
}

export async function startFakeMail(): Promise<FakeMail> {
  const sent: SentEmail[] = [];
  const byKey = new Map<string, { body: string; id: string }>();
  const scripts = new Map<string, Script[]>();
  let seq = 0;

  function nextScript(to: string): Script | undefined {
    const queue = scripts.get(to);
    const head = queue?.[0];
    if (!head) return undefined;
    head.times -= 1;
    if (head.times <= 0) queue.shift();
    return head;
  }

  const server = createFakeServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.method === "GET" && url.pathname === "/__requests") {
      const to = url.searchParams.get("to");
      return json(200, { data: to ? sent.filter((m) => m.body.to.includes(to)) : sent });
    }
    if (req.method === "POST" && url.pathname === "/__script") {
      const { to, status, delayMs, times } = JSON.parse(raw) as Script & { to: string };
      const queue = scripts.get(to) ?? [];
      queue.push({ status, delayMs, times: times ?? 1 });
      scripts.set(to, queue);
      return json(200, { ok: true });
    }
    if (req.method !== "POST" || url.pathname !== "/emails") return json(404, { error: "not found" });

    const authorization = req.headers.authorization ?? null;
    if (!authorization?.startsWith("Bearer ") || authorization.length <= "Bearer ".length) {
      return resendError(res, 401, "missing_api_key", "Missing API key in the authorization header.");
    }
    let body: SentEmail["body"];
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      const to = typeof parsed.to === "string" ? [parsed.to] : parsed.to;
      if (
        typeof parsed.from !== "string" ||
        !Array.isArray(to) ||
        to.length === 0 ||
        typeof parsed.subject !== "string" ||
        (typeof parsed.text !== "string" && typeof parsed.html !== "string")
      ) {
        return resendError(res, 422, "validation_error", "from, to, subject and text or html are required.");
      }
      body = { ...(parsed as SentEmail["body"]), to: to as string[] };
    } catch {
      return resendError(res, 422, "validation_error", "Invalid JSON.");
    }

    const script = nextScript(body.to[0]!);
    if (script?.status) return resendError(res, script.status, "application_error", "Scripted failure.");
    if (script?.delayMs) await new Promise((resolve) => setTimeout(resolve, script.delayMs));

    const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
    if (key) {
      const earlier = byKey.get(key);
      if (earlier && earlier.body !== raw) {
        return resendError(
          res,
          409,
          "invalid_idempotent_request",
          "Same idempotency key used with a different request payload.",
        );
      }
      if (earlier) return json(200, { id: earlier.id });
    }
    seq += 1;
    const id = `fake-email-${seq}`;
    if (key) byKey.set(key, { body: raw, id });
    sent.push({ id, idempotencyKey: key, authorization, body });
    json(200, { id });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
