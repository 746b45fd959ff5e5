// Request bodies of the AI API, validated with zod (the same schemas document /api/openapi.json).
// Forward-compatible: the fields we read are validated; unknown fields pass through to a provider of the same
// dialect, and a translation to another dialect refuses them by name (translate/known-fields.ts).
import { z } from "@hono/zod-openapi";

const Part = z.looseObject({ type: z.string() });
const ToolCall = z.looseObject({
  id: z.string(),
  type: z.string(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});
const Optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/** A tool choice that names or requires a tool needs tools to choose from (both providers refuse it, 400). */
function toolsForChoice(forcing: (choice: unknown) => boolean, message: string) {
  return (body: { tools?: unknown[] | null; tool_choice?: unknown }, ctx: z.core.$RefinementCtx) => {
    if (forcing(body.tool_choice) && !body.tools?.length)
      ctx.addIssue({ code: "custom", path: ["tool_choice"], message, input: body.tool_choice });
  };
}

const anthropicForcing = (choice: unknown) =>
  (choice as { type?: string } | undefined)?.type === "tool" ||
  (choice as { type?: string } | undefined)?.type === "any";
const anthropicToolsForChoice = toolsForChoice(
  anthropicForcing,
  "tool_choice may only be specified while providing tools.",
);
const openaiForcing = (choice: unknown) =>
  choice === "required" || (typeof choice === "object" && choice !== null);
const openaiToolsForChoice = toolsForChoice(
  openaiForcing,
  "'tool_choice' is only allowed when 'tools' are specified.",
);

const ChatMessage = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: Optional(z.union([z.string(), z.array(Part)])),
  name: z.string().optional(),
  tool_calls: z.array(ToolCall).optional(),
  tool_call_id: z.string().optional(),
});

export const ChatRequest = z
  .looseObject({
    model: z.string().min(1),
    messages: z.array(ChatMessage).min(1),
    stream: Optional(z.boolean()),
    stream_options: Optional(z.looseObject({ include_usage: z.boolean().optional() })),
    max_tokens: Optional(z.number().int().positive()),
    max_completion_tokens: Optional(z.number().int().positive()),
    temperature: Optional(z.number().min(0).max(2)),
    top_p: Optional(z.number().min(0).max(1)),
    n: Optional(z.number().int().min(1).max(128)),
    stop: Optional(z.union([z.string(), z.array(z.string()).max(4)])),
    presence_penalty: Optional(z.number().min(-2).max(2)),
    frequency_penalty: Optional(z.number().min(-2).max(2)),
    logit_bias: Optional(z.record(z.string(), z.number())),
    logprobs: Optional(z.boolean()),
    top_logprobs: Optional(z.number().int().min(0).max(20)),
    seed: Optional(z.number().int()),
    tools: Optional(
      z.array(
        z.looseObject({
          type: z.string(),
          function: z
            .looseObject({
              name: z.string().min(1),
              description: z.string().optional(),
              parameters: z.record(z.string(), z.unknown()).optional(),
            })
            .optional(),
        }),
      ),
    ),
    tool_choice: Optional(
      z.union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.string() })]),
    ),
    parallel_tool_calls: Optional(z.boolean()),
    response_format: Optional(z.looseObject({ type: z.string() })),
    reasoning_effort: Optional(z.string()),
    modalities: Optional(z.array(z.string())),
    audio: Optional(z.looseObject({})),
    prediction: Optional(z.looseObject({})),
    web_search_options: Optional(z.looseObject({})),
    service_tier: Optional(z.string()),
    verbosity: Optional(z.string()),
    // Identifying fields are accepted for compatibility and never forwarded (ADR 021).
    user: Optional(z.string()),
    safety_identifier: Optional(z.string()),
    prompt_cache_key: Optional(z.string()),
    metadata: Optional(z.record(z.string(), z.string())),
    store: Optional(
      z.boolean().refine((v) => v !== true, "Storing completions at the provider is not allowed here."),
    ),
  })
  .superRefine(openaiToolsForChoice)
  .openapi("ChatCompletionRequest");

const AnthropicMessage = z.looseObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(Part)]),
});

/** Anthropic's structured output: `output_config.format` ({type:"json_schema", schema}). */
const OutputConfig = z.looseObject({
  format: Optional(z.looseObject({ type: z.string(), schema: z.record(z.string(), z.unknown()).optional() })),
  effort: Optional(z.string()),
});

const MessagesFields = z.looseObject({
  model: z.string().min(1),
  messages: z.array(AnthropicMessage).min(1),
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(Part)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
  tools: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        type: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
  tool_choice: z.looseObject({ type: z.enum(["auto", "any", "tool", "none"]) }).optional(),
  thinking: z.looseObject({ type: z.string() }).optional(),
  service_tier: z.string().optional(),
  container: z.unknown().optional(),
  mcp_servers: z.array(z.unknown()).optional(),
  output_config: OutputConfig.optional(),
  // Accepted for compatibility and never forwarded (ADR 021).
  metadata: z.looseObject({}).optional(),
});

export const MessagesRequest = MessagesFields.superRefine(anthropicToolsForChoice).openapi("MessagesRequest");

export const CountTokensRequest = MessagesFields.omit({
  max_tokens: true,
  stream: true,
  stop_sequences: true,
  temperature: true,
  top_p: true,
  top_k: true,
})
  .superRefine(anthropicToolsForChoice)
  .openapi("CountTokensRequest");

/** Refused because this gateway keeps nothing between requests (ADR 025). */
const stateless = (what: string) =>
  `${what} needs responses stored between requests, and this gateway stores none (stateless, privacy first): send the whole conversation in 'input'.`;

const ResponsesInputItem = z.looseObject({
  type: z.string().optional(),
  role: z.enum(["user", "assistant", "system", "developer"]).optional(),
  content: z.union([z.string(), z.array(Part)]).optional(),
});

export const ResponsesRequest = z
  .looseObject({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(ResponsesInputItem).min(1)]),
    instructions: Optional(z.string()),
    max_output_tokens: Optional(z.number().int().positive()),
    temperature: Optional(z.number().min(0).max(2)),
    top_p: Optional(z.number().min(0).max(1)),
    stream: Optional(z.boolean()),
    tools: Optional(
      z.array(
        z.looseObject({
          type: z.string(),
          name: z.string().min(1).optional(),
          description: Optional(z.string()),
          parameters: Optional(z.record(z.string(), z.unknown())),
        }),
      ),
    ),
    tool_choice: Optional(
      z.union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.string() })]),
    ),
    parallel_tool_calls: Optional(z.boolean()),
    text: Optional(
      z.looseObject({
        format: Optional(
          z.looseObject({
            type: z.enum(["text", "json_schema", "json_object"]),
            name: z.string().optional(),
            schema: z.record(z.string(), z.unknown()).optional(),
          }),
        ),
      }),
    ),
    store: Optional(z.boolean().refine((v) => v !== true, stateless("store: true"))),
    previous_response_id: Optional(z.string().refine(() => false, stateless("previous_response_id"))),
    conversation: Optional(z.unknown().refine((v) => v === undefined, stateless("conversation"))),
    background: Optional(z.boolean().refine((v) => v !== true, stateless("background: true"))),
    // Identifying fields are accepted for compatibility and never forwarded (ADR 021).
    user: Optional(z.string()),
    safety_identifier: Optional(z.string()),
    prompt_cache_key: Optional(z.string()),
    metadata: Optional(z.record(z.string(), z.string())),
  })
  .openapi("ResponsesRequest");

export const EmbeddingsRequest = z
  .strictObject({
    model: z.string().min(1),
    input: z.union([
      z.string(),
      z.array(z.string()).min(1).max(2048),
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1).max(2048),
    ]),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
    stream: z
      .boolean()
      .optional()
      .refine((v) => v !== true, "The embeddings endpoint cannot stream."),
  })
  .openapi("EmbeddingsRequest");

export const Model = z
  .object({
    id: z.string(),
    object: z.literal("model"),
    created: z.number(),
    owned_by: z.string().openapi({ description: "The provider's id" }),
    provider: z.string().openapi({ description: "The provider's name" }),
    kind: z.enum(["chat", "embedding", "transcription"]),
    context_length: z.number().int(),
    max_output_tokens: z.number().int(),
    capabilities: z.array(z.enum(["tools", "vision", "structured_output", "reasoning"])),
    pricing: z.object({
      input: z.number().openapi({ description: "USD per 1M uncached input tokens" }),
      output: z.number().openapi({ description: "USD per 1M output tokens (reasoning tokens included)" }),
      input_cache_read: z
        .number()
        .openapi({ description: "USD per 1M input tokens read from the provider's cache" }),
      input_cache_write: z.number().nullable().openapi({
        description: "USD per 1M input tokens written to the provider's cache; null where it has none",
      }),
      currency: z.literal("USD"),
      per: z.literal(1_000_000),
    }),
    data_policy: z
      .object({
        trains_on_data: z.boolean(),
        retention_days: z.number().int().openapi({ description: "Days the provider keeps prompts; 0: none" }),
        zero_data_retention: z.boolean(),
        regions: z.array(z.string()),
        terms_url: z.string(),
      })
      .openapi({ description: "The provider's published data policy" }),
  })
  .openapi("Model");

/** Responses are the providers' own shapes (OpenAI's or Anthropic's); documented loosely. */
export const AnyJson = z.looseObject({});
