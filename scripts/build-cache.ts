// `npm start` reuses the last local build when nothing it is built from changed: a SHA-256 over the sources and
// the config (app/, worker/, db/, public/ and the root files the build reads), recorded in build/.source-hash
// after a successful build. Any change — a file edited, added or removed — rebuilds.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const SOURCE_DIRS = ["app", "worker", "db", "public"];
const SOURCE_FILES = [
  "package.json",
  "package-lock.json",
  "wrangler.toml",
  "vite.config.ts",
  "react-router.config.ts",
  "tsconfig.json",
];

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.isFile() ? [p] : [];
  });
}

/** The hash of everything a build is made from. */
export function sourceHash(root: string): string {
  const hash = createHash("sha256");
  const all = [
    ...SOURCE_DIRS.flatMap((d) => files(path.join(root, d))),
    ...SOURCE_FILES.map((f) => path.join(root, f)).filter((f) => existsSync(f)),
  ].sort();
  for (const file of all) {
    hash.update(path.relative(root, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const record = (root: string) => path.join(root, "build", ".source-hash");

/** The build itself, as written: another build (the bench, the e2e tests) since ours changes it. */
function buildStamp(root: string): string {
  const server = path.join(root, "build", "server", "wrangler.json");
  return existsSync(server) ? `${statSync(server).mtimeMs}` : "none";
}

/** Whether build/ was built by `npm start` from exactly these sources, and nothing rebuilt it since. */
export function buildIsCurrent(root: string, hash: string): boolean {
  return (
    existsSync(record(root)) && readFileSync(record(root), "utf8").trim() === `${hash} ${buildStamp(root)}`
  );
}

export function recordBuild(root: string, hash: string): void {
  writeFileSync(record(root), `${hash} ${buildStamp(root)}\n`);
}
