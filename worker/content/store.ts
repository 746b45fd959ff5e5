// Logged content in R2: each exchange sealed with the account's data key under its retention-class
// prefix. Custom metadata carries no content: the account id, the key version, whether the account
// consented to training when this was logged, the source (WhatsApp is never exported) and, for WhatsApp, the
// contact's keyed hash (found and erased per contact: worker/whatsapp/contact-data/).
import { open, sealedLength, sealStream } from "../crypto/chunked";
import type { Exchange, LoggingPolicy } from "./capture";
import { accountDataKey, type DataKey } from "./data-keys";
import { contentObjectKey, parseContentObjectKey, type RetentionDays, retentionClasses } from "./layout";

/** What one object decrypts to. */
export type StoredExchange = {
  v: 1;
  requestId: string;
  source: string;
  model: string;
  createdAt: string;
  request: string;
  response: string;
};

export type ContentMetadata = {
  acct: string;
  keyVer: string;
  consent: "0" | "1";
  source: string;
  /** WhatsApp: the contact's keyed hash, so a contact's logged messages are found without opening any. */
  contact?: string;
};

/** The context every chunk's additional data binds: account, object key, key version. */
const sealContext = (accountId: string, objectKey: string, keyVer: number) =>
  `${accountId}|${objectKey}|${keyVer}`;

/** A class we do not know (should never happen) falls back to the shortest, never to a longer one. */
function retentionClass(days: number): RetentionDays {
  return retentionClasses.includes(days as RetentionDays) ? (days as RetentionDays) : retentionClasses[0]!;
}

/** Encrypts and stores one exchange; returns its object key, or null when the account's key is gone. */
export async function storeExchange(
  env: Env,
  exchange: Exchange,
  policy: LoggingPolicy,
): Promise<string | null> {
  const dataKey = await accountDataKey(env, exchange.accountId, { create: true });
  if (!dataKey) return null;
  const objectKey = contentObjectKey(
    retentionClass(policy.retentionDays),
    exchange.accountId,
    exchange.createdAt,
    exchange.requestId,
  );
  const record: StoredExchange = {
    v: 1,
    requestId: exchange.requestId,
    source: exchange.source,
    model: exchange.model,
    createdAt: exchange.createdAt.toISOString(),
    request: exchange.request,
    response: exchange.response,
  };
  const plaintext = new TextEncoder().encode(JSON.stringify(record));
  const customMetadata: ContentMetadata = {
    acct: exchange.accountId,
    keyVer: String(dataKey.keyVer),
    consent: policy.trainingConsent ? "1" : "0",
    source: exchange.source,
    ...(exchange.contactHash ? { contact: exchange.contactHash } : {}),
  };
  // Streamed through a fixed-length stream: R2 needs the size up front, and only one sealed chunk is
  // held in memory at a time however large the content.
  const { readable, writable } = new FixedLengthStream(sealedLength(plaintext.length));
  const sealing = sealStream(
    dataKey.key,
    sealContext(exchange.accountId, objectKey, dataKey.keyVer),
    plaintext,
  ).pipeTo(writable);
  await Promise.all([
    env.CONTENT.put(objectKey, readable, {
      customMetadata,
      httpMetadata: { contentType: "application/octet-stream" },
    }),
    sealing,
  ]);
  return objectKey;
}

/** Decrypts one stored object with the given data key (throws if it was altered or the key is wrong). */
export async function openExchange(
  objectKey: string,
  sealed: Uint8Array<ArrayBuffer>,
  dataKey: DataKey,
): Promise<StoredExchange> {
  const parsed = parseContentObjectKey(objectKey);
  if (!parsed) throw new Error("not a content object");
  const plain = await open(dataKey.key, sealContext(parsed.accountId, objectKey, dataKey.keyVer), sealed);
  return JSON.parse(new TextDecoder().decode(plain)) as StoredExchange;
}
