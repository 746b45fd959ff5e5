// Writes docs/decisions/README.md, the index of the ADRs, from each ADR's own title, Status and Date lines
// (`npm run docs:index`); tests/node/docs-facts.test.ts fails when the committed index is stale.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const DIR = path.join(import.meta.dirname, "../docs/decisions");
const ADR_FILE = /^\d{3}-[a-z0-9-]+\.md$/;

export type Adr = { file: string; number: string; title: string; status: string; date: string };

function line(text: string, file: string, prefix: string): string {
  const found = text.split("\n").find((l) => l.startsWith(prefix));
  if (!found) throw new Error(`${file} has no "${prefix}" line (see docs/decisions/template.md)`);
  return found.slice(prefix.length).trim();
}

export function readAdrs(dir = DIR): Adr[] {
  return readdirSync(dir)
    .filter((f) => ADR_FILE.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dir, file), "utf8");
      const heading = line(text, file, "# ");
      const number = file.slice(0, 3);
      const title = heading.replace(/^\d{3}\s*[—.-]\s*/, "");
      return { file, number, title, status: line(text, file, "Status:"), date: line(text, file, "Date:") };
    });
}

const cell = (s: string) => s.replaceAll("|", "\\|");

export function renderIndex(adrs: Adr[]): string {
  const rows = adrs.map(
    (a) => `| [${a.number}](${a.file}) | ${cell(a.title)} | ${cell(a.status)} | ${a.date} |`,
  );
  return [
    "# Architecture decision records",
    "",
    "One decision a file, numbered by area: 00x the house, 02x–03x the AI gateway and content, 04x billing, 05x data",
    "rights, 06x WhatsApp, 07x operations, 08x mail. A new ADR starts from [template.md](template.md); an ADR that",
    "changes an earlier one says so in both Status lines. This index is generated (`npm run docs:index`) from each",
    "ADR's title, Status and Date lines; a test fails when it is stale.",
    "",
    "| ADR | decision | status | date |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(path.join(DIR, "README.md"), renderIndex(readAdrs()));
}
