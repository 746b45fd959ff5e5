// Export files in R2: each page of records is one part, sealed (AES-256-GCM, 64 KiB chunks) under a key
// derived from MASTER_KEY for this one export, so a part read alone or moved elsewhere is noise.
import { open, seal } from "../../crypto/chunked";
import { derive } from "../../crypto/master-key";
import { exportPrefix } from "../holders";
import type { ManifestBody, Signed } from "../receipts/receipt";

export type ExportPart = { holder: string; key: string; rows: number };

export type ExportManifest = {
  generatedAt: string;
  parts: ExportPart[];
  counts: Record<string, number>;
  /** The Ed25519-signed manifest (kind, request, subject, time, counts); absent on exports made before. */
  signed?: Signed<ManifestBody>;
};

export const partKey = (accountId: string, requestId: string, n: number) =>
  `${exportPrefix(accountId)}${requestId}/${String(n).padStart(6, "0")}`;

/** The export's keys: the current master key's first (parts are written under it), then the previous one's. */
const exportKeys = (env: Env, requestId: string) => derive(env, "export", requestId);

/** Writes one part: the page's records as JSON array items joined by commas (no brackets). */
export async function writePart(
  env: Env,
  accountId: string,
  requestId: string,
  key: string,
  rows: unknown[],
) {
  const text = rows.map((r) => JSON.stringify(r)).join(",");
  const [current] = await exportKeys(env, requestId);
  const sealed = await seal(current!, `${accountId}|${key}`, new TextEncoder().encode(text));
  await env.CONTENT.put(key, sealed, { customMetadata: { acct: accountId, kind: "export" } });
}

export async function readPart(
  env: Env,
  accountId: string,
  requestId: string,
  key: string,
): Promise<Uint8Array> {
  const object = await env.CONTENT.get(key);
  if (!object) throw new Error("export part missing");
  const sealed = new Uint8Array(await object.arrayBuffer());
  // A part written before a MASTER_KEY rotation opens under the previous key.
  const keys = await exportKeys(env, requestId);
  for (const [i, exportKey] of keys.entries()) {
    try {
      return await open(exportKey, `${accountId}|${key}`, sealed);
    } catch (error) {
      if (i === keys.length - 1) throw error;
    }
  }
  throw new Error("export part does not open");
}

export async function deleteParts(env: Env, manifest: ExportManifest): Promise<void> {
  const keys = manifest.parts.map((p) => p.key);
  for (let i = 0; i < keys.length; i += 1000) await env.CONTENT.delete(keys.slice(i, i + 1000));
}
