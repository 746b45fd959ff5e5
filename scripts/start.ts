// `npm start`: build, serve the built Worker production-like under workerd in local mode, with migrations
// applied and a demo account seeded before the port opens; print how in.
//   --port N (or PORT), --var NAME:VALUE (repeatable), --fakes (serve the local fake providers and Stripe/Graph),
//   --no-build (serve the last build; without it the last build is reused when no source changed), --data-dir DIR (state folder; default .data).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs, stripVTControlCharacters } from "node:util";
import { buildIsCurrent, recordBuild, sourceHash } from "./build-cache";
import { checkShippedCatalogue } from "./check-catalogue";
import { type DemoCredentials, seedDemo } from "./seed";
import { startServer } from "./server";

const root = path.resolve(import.meta.dirname, "..");

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    var: { type: "string", multiple: true },
    "no-build": { type: "boolean" },
    fakes: { type: "boolean" },
    "data-dir": { type: "string" },
  },
});
const dataDir = path.resolve(values["data-dir"] ?? path.join(root, ".data"));

function parseVars(list: string[] = []): Record<string, string> {
  return Object.fromEntries(
    list.map((item) => {
      const i = item.indexOf(":");
      if (i <= 0) throw new Error(`--var expects NAME:VALUE, got "${item}"`);
      return [item.slice(0, i), item.slice(i + 1)];
    }),
  );
}

/**
 * A master key and a receipt signing key (Ed25519 seed) generated once per checkout for local runs;
 * production sets MASTER_KEY and RECEIPT_SIGNING_KEY as secrets. A key missing from an older file is added.
 */
function localSecrets(): Record<string, string> {
  const file = path.join(dataDir, "local-secrets.json");
  const saved: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const random32 = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  const secrets = { MASTER_KEY: random32(), RECEIPT_SIGNING_KEY: random32(), ...saved };
  if (Object.keys(secrets).length !== Object.keys(saved).length)
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Builds unless the last build was made from exactly these sources; shows the build's progress. */
async function buildUnlessCurrent(): Promise<void> {
  const started = Date.now();
  const hash = sourceHash(root);
  if (buildIsCurrent(root, hash)) {
    console.info("Sources unchanged since the last build: reusing it (build/).");
    return;
  }
  console.info("Building (sources changed since the last build, or none yet)…");
  // The build that ships: NODE_ENV=production whatever the calling shell (or test runner) set.
  const child = spawn(path.join(root, "node_modules/.bin/react-router"), ["build"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  let output = "";
  const progress = (chunk: Buffer) => {
    output += chunk;
    // Vite's own milestones: each environment's start and end.
    for (const line of chunk.toString().split("\n"))
      if (/building .*environment|built in/i.test(line))
        console.info(`  ${stripVTControlCharacters(line).trim()}`);
  };
  child.stdout.on("data", progress);
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  const ticker = setInterval(
    () => console.info(`  … ${Math.round((Date.now() - started) / 1000)} s`),
    10_000,
  );
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(ticker);
  if (code !== 0) throw new Error(`The build failed:\n${output}`);
  recordBuild(root, hash);
  console.info(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

async function main() {
  mkdirSync(dataDir, { recursive: true });
  if (!values["no-build"]) {
    checkShippedCatalogue();
    await buildUnlessCurrent();
  }
  const port = Number(values.port ?? process.env.PORT ?? 8787);
  let fakeVars: Record<string, string> = {};
  if (values.fakes) {
    const { startFakes } = await import("../tests/fakes/index");
    const fakes = await startFakes();
    fakeVars = { ...fakes.vars, ...fakes.providerVars };
    console.info(`Fake upstreams on loopback: ${Object.values(fakes.urls).join(", ")}`);
  }
  let demo: DemoCredentials | undefined;
  const server = await startServer({
    port,
    persistDir: dataDir,
    cronIntervalMs: 60_000,
    // Log lines a person reads in this terminal (LOG_FORMAT=json keeps the production form).
    vars: { LOG_FORMAT: "human", ...localSecrets(), ...fakeVars, ...parseVars(values.var) },
    prepare: async (mf, origin) => {
      demo = await seedDemo(mf, origin, dataDir);
    },
  });
  const origin = `http://localhost:${port}`;
  if (!demo) throw new Error("The demo account was not seeded.");
  console.info(`
  Botmara is running at ${origin}

  Demo login:    ${demo.email} / ${demo.password}
  Demo API key:  ${demo.apiKey}

  Try:  curl ${origin}/v1/chat/completions -H "Authorization: Bearer ${demo.apiKey}" \\
          -H "Content-Type: application/json" -d '{"model":"dev/echo","messages":[{"role":"user","content":"Hello"}]}'
`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
