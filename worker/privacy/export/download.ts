// Streams a finished export as one JSON document: a summary and the processing facts first, then each
// holder's records, decrypting one part at a time so memory stays flat however large the account.
import type { privacyRequests } from "../../../db/schema";
import { getConfig } from "../../config";
import { AppError, notFound } from "../../errors";
import { holders } from "../holders";
import type { ExportManifest } from "./parts";
import { readPart } from "./parts";
import { processingInfo } from "./processing";

type Row = typeof privacyRequests.$inferSelect;

function summary(env: Env, manifest: ExportManifest): string {
  const { appName } = getConfig(env);
  const lines = holders
    .filter((h) => h.export)
    .map((h) => `- ${h.name}: ${manifest.counts[h.name] ?? 0} record(s). ${h.description}.`);
  return [
    `Everything ${appName} holds about your account, as of ${manifest.generatedAt}.`,
    'Each section under "data" is listed here with its record count:',
    ...lines,
    "API keys, passwords, session ids and connection secrets are never included.",
  ].join("\n");
}

export function exportStream(env: Env, row: Row): ReadableStream<Uint8Array> {
  if (row.type !== "access" || !row.exportManifest || !row.accountId) throw notFound("Export");
  if (!row.exportExpiresAt || row.exportExpiresAt <= new Date()) {
    throw new AppError(410, "This export has expired. Request a new one.", { code: "export_expired" });
  }
  const manifest = JSON.parse(row.exportManifest) as ExportManifest;
  const accountId = row.accountId;
  const names = holders.filter((h) => h.export).map((h) => h.name);
  const head = {
    format: "botmara-export/1",
    requestId: row.id,
    generatedAt: manifest.generatedAt,
    summary: summary(env, manifest),
    processing: processingInfo(getConfig(env)),
    counts: manifest.counts,
  };
  const encoder = new TextEncoder();
  // The document is emitted as a sequence of pieces: text, or a part to decrypt.
  const pieces: ({ text: string } | { part: string })[] = [
    { text: `${JSON.stringify(head).slice(0, -1)},"data":{` },
  ];
  names.forEach((name, i) => {
    pieces.push({ text: `${i ? "," : ""}${JSON.stringify(name)}:[` });
    manifest.parts
      .filter((p) => p.holder === name)
      .forEach((p, j) => {
        if (j) pieces.push({ text: "," });
        pieces.push({ part: p.key });
      });
    pieces.push({ text: "]" });
  });
  pieces.push({ text: "}}" });
  let next = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const piece = pieces[next++];
      if (!piece) return controller.close();
      controller.enqueue(
        "text" in piece ? encoder.encode(piece.text) : await readPart(env, accountId, row.id, piece.part),
      );
    },
  });
}
