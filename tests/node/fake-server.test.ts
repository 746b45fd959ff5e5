// The fakes behind the tests, `npm start -- --fakes` and the bench: a handler that throws answers 500 and the
// server keeps serving (one throwing handler used to take the process down, and every later request with it).
import type { AddressInfo } from "node:net";
import { afterAll, expect, it, vi } from "vitest";
import { createFakeServer } from "../fakes/http";

const server = createFakeServer(async (req, res) => {
  if (req.url === "/throw") throw new Error("handler bug");
  if (req.url === "/throw-sync") return JSON.parse("{");
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("ok");
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it("answers 500 when a handler throws or rejects, and keeps serving", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const path of ["/throw", "/throw-sync", "/throw"]) {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/fake server error/);
  }
  const ok = await fetch(`${base}/fine`);
  expect(await ok.text()).toBe("ok");
  expect(warn).toHaveBeenCalledTimes(3);
  warn.mockRestore();
});
