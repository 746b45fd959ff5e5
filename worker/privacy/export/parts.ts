// Export files in R2: each page of records is one part, sealed (AES-256-GCM, 64 KiB chunks) under a key
// derived from MASTER_KEY for this one export, so a part read alone or moved elsewhere is noise.
import { open, seal } from "../../crypto/chunked";
import { exportPrefix } from "../holders";
import { aesKey } from "../keys";
import type { ManifestBody, Signed } from "../receipt";

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

const exportKey = (env: Env, requestId: string) => aesKey(env, `export|${requestId}`);

/** Writes one part: the page's records as JSON array items joined by commas (no brackets). */
export async function writePart(
  env: Env,
  accountId: string,
  requestId: string,
  key: string,
  rows: unknown[],
) {
  const text = rows.map((r) => JSON.stringify(r)).join(",");
  const sealed = await seal(
    await exportKey(env, requestId),
    `${accountId}|${key}`,
    new TextEncoder().encode(text),
  );
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
  return open(
    await exportKey(env, requestId),
    `${accountId}|${key}`,
    new Uint8Array(await object.arrayBuffer()),
  );
}

export async function deleteParts(env: Env, manifest: ExportManifest): Promise<void> {
  const keys = manifest.parts.map((p) => p.key);
  for (let i = 0; i < keys.length; i += 1000) await env.CONTENT.delete(keys.slice(i, i + 1000));
}
