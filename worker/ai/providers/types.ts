// What a provider is: data (where, how to authenticate, which paths, which wire dialect) — no control flow.
import type { Config } from "../../config";
import type data from "../catalogue/catalogue.json";

/** Every provider in the catalogue (catalogue.json `providers`): adding one there adds it here. */
export type ProviderId = keyof (typeof data)["providers"];

/** The API dialects clients speak; translation happens between dialects, not between providers. */
export type Dialect = "openai" | "anthropic";

/** The wire format a provider speaks: a client dialect, or one only providers speak (Gemini's generateContent). */
export type WireFormat = Dialect | "gemini" | "bedrock";

/** `transcriptions`: speech to text, a multipart upload (worker/ai/transcription/), never translated. */
export type Operation = "chat" | "embeddings" | "responses" | "count_tokens" | "transcriptions";

export type Connection = { baseUrl: string; apiKey: string };

export type Provider = {
  id: ProviderId;
  dialect: WireFormat;
  /** The setting that holds its base URL, named when the URL breaks the upstream-URL rule. */
  urlSetting?: string;
  /** The configured base URL (a customer's own key is sent there too). */
  baseUrl: (config: Config) => string;
  /** The platform's credentials and base URL from configuration; undefined when not configured. */
  connection: (config: Config) => Connection | undefined;
  /** The only headers the upstream ever sees besides content-type/accept. */
  headers: (connection: Connection) => Record<string, string>;
  /** Path under the base URL per operation; a missing operation is not supported by the provider. */
  paths: Partial<Record<Operation, string>>;
  /** Where a request goes when the path depends on it (Gemini: the model and streaming are in the URL), and the
   * body sent; absent: `paths[operation]` and the body as translated. */
  route?: (
    operation: Operation,
    body: Record<string, unknown>,
  ) => { path: string; body: Record<string, unknown> };
  /** Whether an error answer means the key was refused, for a provider that does not say so with 401/403. */
  keyRefused?: (status: number, body: string) => boolean;
  /** Signs the request (Bedrock: SigV4 from the connection's key pair); absent: the headers carry the key. */
  sign?: (url: string, init: RequestInit, connection: Connection) => Promise<Request>;
  /** Turns a streamed answer's body into server-sent events (Bedrock: AWS event-stream frames). */
  decodeStream?: (body: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
  /** In-process providers answer here instead of over the network. */
  local?: (operation: Operation, body: Record<string, unknown>) => Promise<Response>;
};
