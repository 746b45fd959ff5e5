// A fake HTTP mail API on loopback: records every POSTed notice; GET /__requests lists them,
// POST /__script {status} makes the next deliveries fail with that status (0 resets).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./http";

export type FakeMail = { url: string; close: () => Promise<void> };

export async function startFakeMail(): Promise<FakeMail> {
  const received: { headers: Record<string, unknown>; body: unknown }[] = [];
  let failWith = 0;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.method === "GET" && req.url === "/__requests") return json(200, { data: received });
    if (req.method === "POST" && req.url === "/__script") {
      failWith = Number((JSON.parse(body) as { status?: number }).status ?? 0);
      return json(200, { ok: true });
    }
    if (req.method === "POST" && req.url === "/send") {
      if (failWith) return json(failWith, { error: "scripted failure" });
      received.push({ headers: req.headers, body: JSON.parse(body) });
      return json(202, { id: `msg_${received.length}` });
    }
    json(404, { error: "not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
