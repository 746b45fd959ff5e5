// E2E helper: a server of one test file's own (its own vars), started before its tests and closed after them.
import { afterAll, beforeAll } from "vitest";
import { freePort } from "../../scripts/ports";
import { type RunningServer, startServer } from "../../scripts/server";

type OwnServer = { readonly url: string; runCron: () => Promise<void> };

/** `host: "localhost"` serves the pages under localhost rather than 127.0.0.1 (what cookies and origins see). */
export function ownServer(vars: Record<string, string>, host?: "localhost"): OwnServer {
  let server: RunningServer | undefined;
  let url = "";
  beforeAll(async () => {
    server = await startServer({ port: await freePort(), quiet: true, vars });
    url = host ? server.url.replace("127.0.0.1", host) : server.url;
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });
  return {
    get url() {
      return url;
    },
    runCron: () => server!.runCron(),
  };
}
