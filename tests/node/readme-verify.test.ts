// The README's offline receipt check, run as written: the ```js block under "Verifying a receipt offline",
// with plain `node`, against a receipt signed by the service's own code and a JWKS served on loopback.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS_PATH, RECEIPT_KIND, type ReceiptBody, signDocument } from "#worker/privacy/receipts/receipt";
import { publishedKeys } from "#worker/privacy/receipts/signing-keys";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const seed = (n: number) => Buffer.alloc(32, n).toString("base64");
const ours = { RECEIPT_SIGNING_KEY: seed(7) } as unknown as Env;
const theirs = { RECEIPT_SIGNING_KEY: seed(9) } as unknown as Env;

/** The snippet exactly as the README shows it. */
function readmeSnippet(): string {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Verifying a receipt offline"));
  const block = /```js\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("README: no ```js block under 'Verifying a receipt offline'");
  return block[1]!;
}

let server: Server;
let origin: string;
let dir: string;
beforeAll(async () => {
  const keys = await publishedKeys(ours);
  server = createServer((req, res) => {
    if (req.url !== KEYS_PATH) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  dir = mkdtempSync(path.join(tmpdir(), "readme-verify-"));
  writeFileSync(path.join(dir, "verify.mjs"), readmeSnippet());
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const body = (): Omit<ReceiptBody, "kid" | "keys" | "issuer"> => ({
  kind: RECEIPT_KIND,
  requestId: "0b7c9d2e-4f1a-4c3b-9e8d-7a6b5c4d3e2f",
  subject: "s-3f2a",
  retainedToken: "t-9c1d",
  requestedAt: "2026-12-01T10:00:00.000Z",
  completedAt: "2026-12-01T10:00:05.000Z",
  issuedAt: "2026-12-01T10:00:05.000Z",
  erased: [{ holder: "usage", location: "D1 usage_events", records: 3 }],
  retained: [],
  backups: "D1 Time Travel keeps 30 days of history; it is never restored selectively.",
});

async function verifyWithReadme(jws: string): Promise<string> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.jws`);
  writeFileSync(file, `${jws}\n`);
  const { stdout } = await run(process.execPath, ["verify.mjs", file, origin], { cwd: dir });
  return stdout;
}

describe("README: verifying a receipt offline", () => {
  it("says valid for a receipt the service signed, and prints what it says", async () => {
    const receipt = await signDocument(ours, origin, "Botmara", body());
    const out = await verifyWithReadme(receipt.jws);
    expect(out.startsWith("valid")).toBe(true);
    expect(out).toContain(receipt.requestId);
  });

  it("says NOT VALID for one changed character, and for a receipt signed by another key", async () => {
    const receipt = await signDocument(ours, origin, "Botmara", body());
    const [h, p, s] = receipt.jws.split(".") as [string, string, string];
    const i = Math.floor(s.length / 2);
    const tampered = `${h}.${p}.${s.slice(0, i)}${s[i] === "A" ? "B" : "A"}${s.slice(i + 1)}`;
    expect((await verifyWithReadme(tampered)).startsWith("NOT VALID")).toBe(true);
    // A changed payload under the original signature.
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url").toString()), requestId: "other" }),
    ).toString("base64url");
    expect((await verifyWithReadme(`${h}.${forged}.${s}`)).startsWith("NOT VALID")).toBe(true);
    const foreign = await signDocument(theirs, origin, "Botmara", body());
    expect((await verifyWithReadme(foreign.jws)).startsWith("NOT VALID")).toBe(true);
  });
});
