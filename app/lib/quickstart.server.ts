// What the quickstart snippets call: the site's own origin and a cheap chat model this deployment serves.
import { availableModels } from "#worker/ai/catalogue";
import type { Config } from "#worker/config";

const PREFERRED = "openai/gpt-4o-mini";

export function quickstartModel(config: Config): string {
  const chat = availableModels(config).filter((m) => m.kind === "chat");
  return (chat.find((m) => m.id === PREFERRED) ?? chat[0])?.id ?? PREFERRED;
}
