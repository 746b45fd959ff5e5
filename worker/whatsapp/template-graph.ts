// The Graph API calls for message templates, as Meta documents them: list a business account's templates
// (`GET /{waba-id}/message_templates`, paged) and send one (`POST /{phone-number-id}/messages`, type "template").
import type { Config } from "../config";
import { upstreamUrlProblem } from "../security/upstream-url";
import { failure, type GraphError, postMessage, type SendResult, TIMEOUT_MS } from "./graph";

/** Meta pages template lists; a business account rarely has more than a few hundred. */
const PAGE_SIZE = 100;
const MAX_PAGES = 10;

/** One template as Meta lists it (the fields we read; the rest pass). */
export type GraphTemplate = {
  id: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  parameter_format?: string;
  components?: { type?: string; format?: string; text?: string; buttons?: { url?: string }[] }[];
};

export type TemplateList = { ok: true; templates: GraphTemplate[] } | { ok: false; error: string };

const refusedBase = "graph_error: WHATSAPP_GRAPH_BASE_URL refused";

/** Every template of the business account (at most MAX_PAGES pages); never throws. */
export async function fetchTemplates(
  config: Config,
  input: { wabaId: string; accessToken: string },
): Promise<TemplateList> {
  const base = config.whatsapp.graphBaseUrl;
  if (upstreamUrlProblem(config.localMode, "WHATSAPP_GRAPH_BASE_URL", base))
    return { ok: false, error: refusedBase };
  const fields = "id,name,language,status,category,parameter_format,components";
  const templates: GraphTemplate[] = [];
  let after: string | null = null;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ fields, limit: String(PAGE_SIZE), ...(after ? { after } : {}) });
      const res = await fetch(`${base}/${encodeURIComponent(input.wabaId)}/message_templates?${query}`, {
        headers: { authorization: `Bearer ${input.accessToken}` },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body = (await res.json().catch(() => ({}))) as GraphError & {
        data?: unknown;
        paging?: { cursors?: { after?: string }; next?: string };
      };
      if (!res.ok || !Array.isArray(body.data)) {
        const failed = failure(res.status, body) as Extract<SendResult, { ok: false }>;
        return { ok: false, error: failed.error };
      }
      templates.push(...(body.data as GraphTemplate[]));
      after = body.paging?.next ? (body.paging.cursors?.after ?? null) : null;
      if (!after) break;
    }
  } catch (error) {
    return { ok: false, error: `graph_unreachable: ${error instanceof Error ? error.name : "error"}` };
  }
  return { ok: true, templates };
}

/** Sends an approved template with its body parameters (named ones carry their names); never throws. */
export async function sendTemplate(
  config: Config,
  input: {
    phoneNumberId: string;
    accessToken: string;
    to: string;
    name: string;
    language: string;
    parameters: { text: string; name?: string }[];
  },
): Promise<SendResult> {
  const base = config.whatsapp.graphBaseUrl;
  if (upstreamUrlProblem(config.localMode, "WHATSAPP_GRAPH_BASE_URL", base))
    return { ok: false, retryable: false, windowClosed: false, error: refusedBase };
  const parameters = input.parameters.map((p) => ({
    type: "text",
    text: p.text,
    ...(p.name ? { parameter_name: p.name } : {}),
  }));
  return postMessage(base, input, {
    type: "template",
    template: {
      name: input.name,
      language: { code: input.language },
      ...(parameters.length > 0 ? { components: [{ type: "body", parameters }] } : {}),
    },
  });
}
