// A fake of Azure OpenAI on loopback, modelled on its documented data-plane API: POST
// /openai/deployments/{deployment}/chat/completions (and /embeddings) with a required `api-version` query and the
// key in the `api-key` header (Authorization is not accepted); the body needs no model (the deployment names it).
// It answers in OpenAI's shapes (answerOpenAI), naming the deployment as the model, as Azure does.
import { answerOpenAI } from "./openai";
import { type FakeProvider, startFakeProvider } from "./provider-script";

export const FAKE_AZURE_KEY = "azure-platform-test";
/** The api-version the catalogue's Azure entry sends; any other is refused, as Azure refuses an unknown one. */
const FAKE_AZURE_API_VERSION = "2024-10-21";

export function startFakeAzure(): Promise<FakeProvider> {
  return startFakeProvider(async (req, res, body, script) => {
    const error = (status: number, code: string, message: string) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code, message } }));
    };
    if (req.headers["api-key"] !== FAKE_AZURE_KEY) {
      error(401, "401", "Access denied due to invalid subscription key or wrong API endpoint.");
      return;
    }
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.searchParams.get("api-version") !== FAKE_AZURE_API_VERSION) {
      error(404, "404", "Resource not found (api-version missing or not supported).");
      return;
    }
    const route = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(url.pathname);
    if (!route) {
      error(404, "DeploymentNotFound", "The API deployment for this resource does not exist.");
      return;
    }
    await answerOpenAI(`/v1/${route[2]}`, res, { ...body, model: decodeURIComponent(route[1]!) }, script);
  });
}
