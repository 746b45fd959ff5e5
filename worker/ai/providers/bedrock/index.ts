// Amazon Bedrock's Converse API: POST `/model/{modelId}/converse`, or `/converse-stream` for a stream (answered in
// AWS's binary event-stream framing, decoded here into server-sent events), signed with SigV4 (aws4fetch, service
// "bedrock"). The key setting holds `ACCESS_KEY_ID:SECRET_ACCESS_KEY`; the region is the connection's `region`
// (default: read from the `bedrock-runtime.{region}.amazonaws.com` base URL). Requests and answers are Converse's;
// worker/ai/translate/bedrock translates them to and from Chat Completions. Embeddings (Titan) use InvokeModel,
// POST `/model/{modelId}/invoke` with the model's own body (translate/bedrock/embeddings.ts).
import { AwsClient } from "aws4fetch";
import type { ConnectionSpec } from "../connections";
import type { Connection, Provider, ProviderId } from "../types";
import { eventStreamToSse } from "./event-stream";

/** The region a base URL names (`https://bedrock-runtime.eu-central-1.amazonaws.com`), if it names one. */
const regionOf = (baseUrl: string) =>
  /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(baseUrl)?.[1];

/** The access key pair held in the key setting as `ACCESS_KEY_ID:SECRET_ACCESS_KEY`. */
function credentials(apiKey: string) {
  const at = apiKey.indexOf(":");
  return at > 0 ? { accessKeyId: apiKey.slice(0, at), secretAccessKey: apiKey.slice(at + 1) } : undefined;
}

export function bedrock(id: ProviderId, spec: ConnectionSpec): Provider {
  return {
    id,
    dialect: "bedrock",
    urlSetting: spec.baseUrlSetting,
    baseUrl: (config) => config.connections[id]?.baseUrl ?? "",
    connection: (config) => {
      const settings = config.connections[id];
      return settings?.apiKey ? { baseUrl: settings.baseUrl, apiKey: settings.apiKey } : undefined;
    },
    // The credentials go in the signature (sign), never in a header of their own.
    headers: () => ({ ...spec.headers }),
    paths: { chat: "/model/{model}/converse", embeddings: "/model/{model}/invoke" },
    // Embeddings (Titan) go through InvokeModel, whose body is the model's own.
    route: (operation, { model, stream, ...body }) => ({
      path: `/model/${encodeURIComponent(String(model))}/${
        operation === "embeddings" ? "invoke" : stream ? "converse-stream" : "converse"
      }`,
      body,
    }),
    sign: async (url: string, init: RequestInit, connection: Connection) => {
      const keys = credentials(connection.apiKey);
      // A malformed key pair is sent unsigned: Bedrock refuses it with the 403 that names the key as refused.
      if (!keys) return new Request(url, init);
      const region = spec.region ?? regionOf(connection.baseUrl) ?? "us-east-1";
      return new AwsClient({ ...keys, region, service: "bedrock" }).sign(url, init);
    },
    decodeStream: eventStreamToSse,
  };
}
