// The models and their prices, as the gateway bills them (one catalogue: worker/ai/catalogue.ts).
import { formatMicros } from "#worker/billing/money";
import { formatInt } from "#worker/format";
import { DataTable } from "./DataTable";

export type ModelRow = {
  id: string;
  provider: string;
  kind: "chat" | "embedding";
  contextTokens: number;
  maxOutputTokens: number;
  inputMicrosPerM: number;
  outputMicrosPerM: number;
};

const PROVIDERS: Record<string, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  dev: "Development (built in)",
};

/** The catalogue's fields a page needs (the loader passes plain data). */
export function modelRows(models: ModelRow[]): ModelRow[] {
  return models.map(
    ({ id, provider, kind, contextTokens, maxOutputTokens, inputMicrosPerM, outputMicrosPerM }) => ({
      id,
      provider,
      kind,
      contextTokens,
      maxOutputTokens,
      inputMicrosPerM,
      outputMicrosPerM,
    }),
  );
}

export function ModelTable({ models }: { models: ModelRow[] }) {
  return (
    <DataTable
      className="cards"
      data-testid="models"
      caption="Models, limits and prices per million tokens"
      columns={[
        "Model id",
        "Provider",
        "Context length",
        "Max output",
        "Input, per 1M tokens",
        "Output, per 1M tokens",
      ]}
    >
      {models.map((m) => (
        <tr key={m.id}>
          <td data-label="Model id">
            <code>{m.id}</code>
            {m.kind === "embedding" ? <span className="badge off">embeddings</span> : null}
          </td>
          <td data-label="Provider">{PROVIDERS[m.provider] ?? m.provider}</td>
          <td data-label="Context length">{formatInt(m.contextTokens)} tokens</td>
          <td data-label="Max output">
            {m.kind === "chat" ? `${formatInt(m.maxOutputTokens)} tokens` : "—"}
          </td>
          <td data-label="Input, per 1M tokens">{formatMicros(m.inputMicrosPerM)}</td>
          <td data-label="Output, per 1M tokens">
            {m.kind === "chat" ? formatMicros(m.outputMicrosPerM) : "—"}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
