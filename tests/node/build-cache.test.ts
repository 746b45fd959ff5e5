// npm start reuses the last build only when nothing it is built from changed and nothing rebuilt it since.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildIsCurrent, recordBuild, sourceHash } from "../../scripts/build-cache";

function tree() {
  const root = mkdtempSync(path.join(tmpdir(), "build-cache-"));
  mkdirSync(path.join(root, "worker"), { recursive: true });
  mkdirSync(path.join(root, "build", "server"), { recursive: true });
  writeFileSync(path.join(root, "worker", "index.ts"), "export default {};\n");
  writeFileSync(path.join(root, "wrangler.toml"), 'name = "x"\n');
  writeFileSync(path.join(root, "build", "server", "wrangler.json"), "{}");
  return root;
}

describe("npm start's build cache", () => {
  it("reuses a build made from the same sources, and rebuilds after an edit, a new file, a config change or another build", () => {
    const root = tree();
    const hash = sourceHash(root);
    expect(buildIsCurrent(root, hash)).toBe(false); // never recorded
    recordBuild(root, hash);
    expect(buildIsCurrent(root, sourceHash(root))).toBe(true);

    writeFileSync(path.join(root, "worker", "index.ts"), "export default { fetch() {} };\n");
    expect(buildIsCurrent(root, sourceHash(root))).toBe(false);
    recordBuild(root, sourceHash(root));
    writeFileSync(path.join(root, "worker", "new.ts"), "export {};\n");
    expect(buildIsCurrent(root, sourceHash(root))).toBe(false);
    recordBuild(root, sourceHash(root));
    writeFileSync(path.join(root, "wrangler.toml"), 'name = "y"\n');
    expect(buildIsCurrent(root, sourceHash(root))).toBe(false);

    recordBuild(root, sourceHash(root));
    // The bench or the e2e tests built since: their build is not the one recorded.
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(root, "build", "server", "wrangler.json"), later, later);
    expect(buildIsCurrent(root, sourceHash(root))).toBe(false);
    rmSync(root, { recursive: true, force: true });
  });
});
