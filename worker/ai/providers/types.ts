// What a provider is: data (where, how to authenticate, which paths, which wire dialect) — no control flow.
import type { Config } from "../../config";
import type data from "../catalogue/catalogue.json";

/** Every provider in the catalogue (catalogue.json `providers`): adding one there adds it here. */
export type ProviderId = keyof (typeof data)["providers"];

/** The wire format a provider speaks; translation happens between dialects, not between providers. */
export type Dialect = "openai" | "anthropic";

export type Operation = "chat" | "embeddings" | "responses" | "count_tokens";

export type Connection = { baseUrl: string; apiKey: string };

export type Provider = {
  id: ProviderId;
  dialect: Dialect;
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
  /** In-process providers answer here instead of over the network. */
  local?: (operation: Operation, body: Record<string, unknown>) => Promise<Response>;
};
