// What every fake server shares: reading a request's body as text, and a server whose throwing handler answers
// 500 (and logs) instead of taking the process — and every later request — down.
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** A handler that throws (or rejects) answers 500 with the error's message; a half-sent answer is ended. */
function handled(handler: Handler): RequestListener {
  return (req, res) => {
    const fail = (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      console.warn(`fake ${req.method} ${req.url} threw: ${message}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `fake server error: ${message}`, type: "server_error" } }));
    };
    try {
      Promise.resolve(handler(req, res)).catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

/** `http.createServer` with a handler that cannot crash the process. */
export const createFakeServer = (handler: Handler): Server => createServer(handled(handler));
