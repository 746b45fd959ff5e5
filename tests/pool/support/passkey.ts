// A software passkey for workerd tests: an ES256 key pair that answers WebAuthn ceremonies as an authenticator
// does (attestation "none", user present and verified), so the passkey routes can be driven without a browser.
// The browser flow itself is tested in Chromium with a virtual authenticator (tests/e2e/two-factor.test.ts).
import { isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";

type Bytes = Uint8Array<ArrayBuffer>;
/** What the CBOR encoder takes (a map's keys are strings or numbers). */
type Cbor = Parameters<typeof isoCBOR.encode>[0];

const enc = new TextEncoder();
const b64 = (bytes: Bytes) => isoBase64URL.fromBuffer(bytes);
const sha256 = async (data: Bytes): Promise<Bytes> =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", data));
const concat = (...parts: Bytes[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const u32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

/** WebCrypto's raw ECDSA signature (r‖s) as the DER sequence WebAuthn carries. */
function derSignature(raw: Bytes): Bytes {
  const integer = (bytes: Bytes) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let v = bytes.slice(i);
    if (v[0]! & 0x80) v = concat(new Uint8Array([0]), v);
    return concat(new Uint8Array([0x02, v.length]), v);
  };
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

export type Passkey = Awaited<ReturnType<typeof newPasskey>>;

/** A new authenticator holding one credential for `origin` (its host is the relying party id). */
export async function newPasskey(origin: string) {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const credentialId = crypto.getRandomValues(new Uint8Array(16));
  const rpIdHash = await sha256(enc.encode(new URL(origin).hostname));
  let counter = 0;
  const clientData = (type: string, challenge: string) =>
    enc.encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  const id = b64(credentialId);

  return {
    id,
    /** The answer to navigator.credentials.create() for these options. */
    async register(options: { challenge: string }) {
      const cose = isoCBOR.encode(
        new Map<string | number, Cbor>([
          [1, 2], // kty: EC2
          [3, -7], // alg: ES256
          [-1, 1], // crv: P-256
          [-2, isoBase64URL.toBuffer(jwk.x!)],
          [-3, isoBase64URL.toBuffer(jwk.y!)],
        ]),
      );
      const authData = concat(
        rpIdHash,
        new Uint8Array([0x45]), // user present, user verified, attested credential data
        u32(counter),
        new Uint8Array(16), // AAGUID
        new Uint8Array([credentialId.length >> 8, credentialId.length & 255]),
        credentialId,
        cose,
      );
      const attestationObject = isoCBOR.encode(
        new Map<string | number, Cbor>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", authData],
        ]),
      );
      return {
        id,
        rawId: id,
        type: "public-key",
        response: {
          clientDataJSON: b64(clientData("webauthn.create", options.challenge)),
          attestationObject: b64(attestationObject),
          transports: ["internal"],
        },
        clientExtensionResults: {},
      };
    },
    /** The answer to navigator.credentials.get() for these options (each answer counts up, as devices do). */
    async sign(options: { challenge: string }) {
      counter += 1;
      const authenticatorData = concat(rpIdHash, new Uint8Array([0x05]), u32(counter));
      const clientDataJSON = clientData("webauthn.get", options.challenge);
      const signed = concat(authenticatorData, await sha256(clientDataJSON));
      const raw = new Uint8Array(
        await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, signed),
      );
      return {
        id,
        rawId: id,
        type: "public-key",
        response: {
          clientDataJSON: b64(clientDataJSON),
          authenticatorData: b64(authenticatorData),
          signature: b64(derSignature(raw)),
        },
        clientExtensionResults: {},
      };
    },
  };
}
