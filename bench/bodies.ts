// Request bodies the CPU measurements share: the benchmark's small chat request and a long conversation — 200
// messages, ≈ 217 KB, with text parts, tool calls and their results — the size where validating every message
// shows (ADR 026).

/** The benchmark's chat request. */
export function smallChatBody(model = "openai/gpt-4o-mini") {
  return { model, max_tokens: 16, messages: [{ role: "user", content: "Say hello." }] };
}

const SENTENCE = "The quarterly figures show steady growth in the northern region, with costs held flat. ";

/** A 200-message conversation (≈ 217 KB as JSON): user and assistant turns, every tenth with a tool call. */
export function longChatBody(model = "openai/gpt-4o-mini", messages = 200) {
  const text = (i: number) => `${i}: ${SENTENCE.repeat(13)}`;
  const out: Record<string, unknown>[] = [{ role: "system", content: "You are a careful analyst." }];
  for (let i = 1; out.length < messages; i++) {
    if (i % 10 === 0) {
      const id = `call_${i}`;
      out.push({
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id,
            type: "function",
            function: { name: "lookup", arguments: `{"quarter":${i},"region":"north"}` },
          },
        ],
      });
      out.push({ role: "tool", tool_call_id: id, content: text(i) });
    } else if (i % 2 === 1) {
      out.push({ role: "user", content: [{ type: "text", text: text(i) }] });
    } else {
      out.push({ role: "assistant", content: text(i) });
    }
  }
  return {
    model,
    max_tokens: 16,
    temperature: 0.2,
    tools: [
      {
        type: "function",
        function: {
          name: "lookup",
          description: "Look up a quarter's figures.",
          parameters: {
            type: "object",
            properties: { quarter: { type: "integer" }, region: { type: "string" } },
          },
        },
      },
    ],
    messages: out.slice(0, messages),
  };
}
