// Streams a finished export as one pretty-printed JSON document in user units: a summary, the processing
// facts and the signed manifest first, then each holder's records, decrypting one part at a time so
// memory stays flat however large the account. Also renders the export's summary as an HTML page.
import type { privacyRequests } from "../../../db/schema";
import { getConfig } from "../../config";
import { AppError, notFound } from "../../errors";
import { formatCount } from "../../format";
import { holders } from "../holders";
import type { ExportManifest } from "./parts";
import { readPart } from "./parts";
import { processingInfo } from "./processing";

type Row = typeof privacyRequests.$inferSelect;

function summary(env: Env, manifest: ExportManifest): string {
  const { appName } = getConfig(env);
  const lines = holders
    .filter((h) => h.export)
    .map((h) => `- ${h.name}: ${formatCount(manifest.counts[h.name] ?? 0, "record")}. ${h.description}.`);
  return [
    `Everything ${appName} holds about your account, as of ${manifest.generatedAt}.`,
    'Each section under "data" is listed here with its record count:',
    ...lines,
    "Money is in US dollars, times in UTC (ISO 8601), switches as true/false; streamed answers are shown as the text that was streamed.",
    "API keys, passwords, session ids and connection secrets are never included.",
  ].join("\n");
}

/** The export's manifest, if the export is still downloadable; the same errors for JSON and HTML. */
function readyManifest(row: Row): ExportManifest & { accountId: string } {
  if (row.type !== "access" || !row.exportManifest || !row.accountId) throw notFound("Export");
  if (!row.exportExpiresAt || row.exportExpiresAt <= new Date()) {
    throw new AppError(410, "This export has expired. Request a new one.", { code: "export_expired" });
  }
  return { ...(JSON.parse(row.exportManifest) as ExportManifest), accountId: row.accountId };
}

const indent = (text: string, spaces: number) => text.replaceAll("\n", `\n${" ".repeat(spaces)}`);

/** One decrypted part (records joined by commas) re-emitted as indented array items. */
function prettyPart(bytes: Uint8Array): string {
  const rows = JSON.parse(`[${new TextDecoder().decode(bytes)}]`) as unknown[];
  return rows.map((r) => `      ${indent(JSON.stringify(r, null, 2), 6)}`).join(",\n");
}

export function exportStream(env: Env, row: Row, origin: string): ReadableStream<Uint8Array> {
  const manifest = readyManifest(row);
  const names = holders.filter((h) => h.export).map((h) => h.name);
  const head = {
    format: "botmara-export/2",
    requestId: row.id,
    generatedAt: manifest.generatedAt,
    summary: summary(env, manifest),
    units: { money: "USD", times: "ISO 8601, UTC", switches: "boolean" },
    processing: processingInfo(getConfig(env)),
    counts: manifest.counts,
    manifest: manifest.signed ?? null,
    verify: `${origin}/privacy/verify`,
  };
  const encoder = new TextEncoder();
  // The document is emitted as a sequence of pieces: text, or a part to decrypt.
  const pieces: ({ text: string } | { part: string })[] = [
    { text: `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "data": {\n` },
  ];
  names.forEach((name, i) => {
    const parts = manifest.parts.filter((p) => p.holder === name);
    pieces.push({ text: `${i ? ",\n" : ""}    ${JSON.stringify(name)}: [${parts.length ? "\n" : ""}` });
    parts.forEach((p, j) => {
      if (j) pieces.push({ text: ",\n" });
      pieces.push({ part: p.key });
    });
    pieces.push({ text: parts.length ? "\n    ]" : "]" });
  });
  pieces.push({ text: "\n  }\n}\n" });
  let next = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const piece = pieces[next++];
      if (!piece) return controller.close();
      controller.enqueue(
        encoder.encode(
          "text" in piece
            ? piece.text
            : prettyPart(await readPart(env, manifest.accountId, row.id, piece.part)),
        ),
      );
    },
  });
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A standalone HTML summary of the export: what each section holds and how many records, and why. */
export function exportSummaryHtml(env: Env, row: Row, origin: string): string {
  const manifest = readyManifest(row);
  const config = getConfig(env);
  const info = processingInfo(config);
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`;
  const sections = holders
    .filter((h) => h.export)
    .map(
      (h) =>
        `<tr><th scope="row">${escapeHtml(h.name)}</th><td>${manifest.counts[h.name] ?? 0}</td><td>${escapeHtml(h.description)}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your data export — ${escapeHtml(config.appName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem;line-height:1.5}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}
code{word-break:break-all}</style></head><body>
<h1>Your data export</h1>
<p>Everything ${escapeHtml(config.appName)} holds about your account, as of ${escapeHtml(manifest.generatedAt)} (request <code>${escapeHtml(row.id)}</code>). The full records are in the JSON file of the same export.</p>
<h2>What is in it</h2>
<table><thead><tr><th scope="col">Section</th><th scope="col">Records</th><th scope="col">What it is</th></tr></thead><tbody>${sections}</tbody></table>
<h2>Why we hold it</h2>${list(info.purposes)}
<h2>Who receives it</h2>${list(info.recipients)}
<h2>How long we keep it</h2>${list(info.retention.map((r) => `${r.what}: ${r.retention}`))}
<h2>Transfers outside the EEA</h2>${list(info.transfers)}
<h2>Your rights</h2>${list(info.rights)}
<h2>Check that this export is ours</h2>
<p>The export's manifest (request, time and record counts) is signed with our Ed25519 key${manifest.signed ? ` <code>${escapeHtml(manifest.signed.kid)}</code>` : ""}. Paste the <code>manifest.jws</code> value from the JSON file at <a href="${escapeHtml(origin)}/privacy/verify">${escapeHtml(origin)}/privacy/verify</a>.</p>
<p>Questions: ${escapeHtml(config.privacyContact)}</p>
</body></html>
`;
}
