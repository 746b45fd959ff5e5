// The models and their prices, as the gateway bills them (one catalogue: worker/ai/catalogue/catalogue.json),
// with each provider's published data policy.
import { providerLabel, providerPolicy } from "#worker/ai/catalogue";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { formatMicros } from "#worker/billing/money";
import { formatInt } from "#worker/format";
import { DataTable } from "./DataTable";

export type ModelRow = {
  id: string;
  provider: string;
  kind: "chat" | "embedding" | "transcription";
  contextTokens: number;
  maxOutputTokens: number;
  inputMicrosPerM: number;
  cachedInputMicrosPerM: number;
  cacheWriteMicrosPerM: number | null;
  outputMicrosPerM: number;
  /** The provider's data policy in a few words ("no training · kept up to 30 days · us"). */
  policy: string;
};

/** The catalogue's fields a page needs (the loader passes plain data). */
export function modelRows(models: CatalogueModel[]): ModelRow[] {
  return models.map((m) => {
    const p = providerPolicy(m.provider);
    const retention = p.zeroDataRetention
      ? "zero retention"
      : p.retentionDays === 0
        ? "not kept"
        : `kept up to ${p.retentionDays} days`;
    return {
      id: m.id,
      provider: providerLabel(m.provider),
      kind: m.kind,
      contextTokens: m.contextTokens,
      maxOutputTokens: m.maxOutputTokens,
      inputMicrosPerM: m.inputMicrosPerM,
      cachedInputMicrosPerM: m.cachedInputMicrosPerM,
      cacheWriteMicrosPerM: m.cacheWriteMicrosPerM,
      outputMicrosPerM: m.outputMicrosPerM,
      policy: [p.trainsOnData ? "trains on data" : "no training", retention, p.regions.join(", ")].join(
        " · ",
      ),
    };
  });
}

export function ModelTable({ models }: { models: ModelRow[] }) {
  return (
    <DataTable
      className="cards"
      data-testid="models"
      caption="Models, limits and prices per million tokens"
      empty={models.length === 0 ? "No model matches the search." : undefined}
      columns={[
        "Model id",
        "Provider",
        "Data policy",
        "Context length",
        "Max output",
        "Input, per 1M tokens",
        "Cached input, per 1M",
        "Cache write, per 1M",
        "Output, per 1M tokens",
      ]}
    >
      {models.map((m) => (
        <tr key={m.id}>
          <td data-label="Model id">
            <code>{m.id}</code>
            {m.kind === "embedding" ? <span className="badge off">embeddings</span> : null}
            {m.kind === "transcription" ? <span className="badge off">speech to text</span> : null}
          </td>
          <td data-label="Provider">{m.provider}</td>
          <td data-label="Data policy">{m.policy}</td>
          <td data-label="Context length">{formatInt(m.contextTokens)} tokens</td>
          <td data-label="Max output">
            {m.kind === "embedding" ? "—" : `${formatInt(m.maxOutputTokens)} tokens`}
          </td>
          <td data-label="Input, per 1M tokens">{formatMicros(m.inputMicrosPerM)}</td>
          <td data-label="Cached input, per 1M">
            {m.kind === "chat" ? formatMicros(m.cachedInputMicrosPerM) : "—"}
          </td>
          <td data-label="Cache write, per 1M">
            {m.cacheWriteMicrosPerM === null ? "—" : formatMicros(m.cacheWriteMicrosPerM)}
          </td>
          <td data-label="Output, per 1M tokens">
            {m.kind === "chat" ? formatMicros(m.outputMicrosPerM) : "—"}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
