// Chunked AES-256-GCM for stored content. WebCrypto's GCM is one-shot, so large content is sealed in
// 64 KiB chunks, each with its own random 96-bit IV. Every chunk's additional data binds the context
// (account, object key, key version), its index and whether it is the last, so chunks cannot be
// swapped between objects, reordered, or cut off without decryption failing.
//
// Layout: "BMC1" | per chunk: IV (12) | ciphertext length (uint32 BE) | ciphertext + tag.
import { randomBytes } from "./encoding";

const CHUNK_SIZE = 64 * 1024;
const MAGIC = new TextEncoder().encode("BMC1");
const IV_BYTES = 12;
const LEN_BYTES = 4;
const TAG_BYTES = 16;

const chunkAad = (context: string, index: number, final: boolean) =>
  new TextEncoder().encode(`botmara-content|v1|${context}|${index}|${final ? 1 : 0}`);

function chunkCount(plaintextLength: number): number {
  return Math.max(1, Math.ceil(plaintextLength / CHUNK_SIZE));
}

/** The exact size of the sealed form, known before encrypting (R2 needs it to stream an upload). */
export function sealedLength(plaintextLength: number): number {
  return MAGIC.length + chunkCount(plaintextLength) * (IV_BYTES + LEN_BYTES + TAG_BYTES) + plaintextLength;
}

async function sealChunk(
  key: CryptoKey,
  context: string,
  plaintext: Uint8Array<ArrayBuffer>,
  index: number,
  count: number,
) {
  const start = index * CHUNK_SIZE;
  const part = plaintext.subarray(start, Math.min(start + CHUNK_SIZE, plaintext.length));
  const iv = randomBytes(IV_BYTES);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: chunkAad(context, index, index === count - 1) },
      key,
      part,
    ),
  );
  const out = new Uint8Array(IV_BYTES + LEN_BYTES + sealed.length);
  out.set(iv, 0);
  new DataView(out.buffer).setUint32(IV_BYTES, sealed.length);
  out.set(sealed, IV_BYTES + LEN_BYTES);
  return out;
}

/** Encrypts chunk by chunk as the stream is read, so only one sealed chunk is in memory at a time. */
export function sealStream(
  key: CryptoKey,
  context: string,
  plaintext: Uint8Array<ArrayBuffer>,
): ReadableStream<Uint8Array> {
  const count = chunkCount(plaintext.length);
  let index = -1;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index === -1) controller.enqueue(MAGIC);
      else controller.enqueue(await sealChunk(key, context, plaintext, index, count));
      index += 1;
      if (index === count) controller.close();
    },
  });
}

/** The sealed form in one buffer (for small content and tests). */
export async function seal(
  key: CryptoKey,
  context: string,
  plaintext: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(sealedLength(plaintext.length));
  let offset = 0;
  const reader = sealStream(key, context, plaintext).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    out.set(r.value, offset);
    offset += r.value.length;
  }
  return out;
}

/** Decrypts and verifies every chunk; throws if anything was altered, reordered, moved or truncated. */
export async function open(
  key: CryptoKey,
  context: string,
  sealed: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  if (sealed.length < MAGIC.length || !MAGIC.every((b, i) => sealed[i] === b)) {
    throw new Error("not a sealed object");
  }
  const parts: Uint8Array[] = [];
  let offset = MAGIC.length;
  for (let index = 0; offset < sealed.length; index++) {
    if (offset + IV_BYTES + LEN_BYTES > sealed.length) throw new Error("truncated sealed object");
    const iv = sealed.subarray(offset, offset + IV_BYTES);
    const length = new DataView(sealed.buffer, sealed.byteOffset + offset + IV_BYTES, LEN_BYTES).getUint32(0);
    const start = offset + IV_BYTES + LEN_BYTES;
    if (length < TAG_BYTES || start + length > sealed.length) throw new Error("truncated sealed object");
    offset = start + length;
    const final = offset === sealed.length;
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: chunkAad(context, index, final) },
      key,
      sealed.subarray(start, offset),
    );
    parts.push(new Uint8Array(plain));
  }
  if (parts.length === 0) throw new Error("truncated sealed object");
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
