// The models page's search and sort, read from the address (a GET form: it works without JavaScript).
import type { ModelRow } from "../components/ModelTable";

export const MODEL_SORTS = {
  id: "Model id",
  provider: "Provider",
  input: "Input price",
  output: "Output price",
  cachedInput: "Cached input price",
  cacheWrite: "Cache write price",
  context: "Context length",
  maxOutput: "Max output",
} as const;
type ModelSort = keyof typeof MODEL_SORTS;

export type ModelSearch = { q: string; sort: ModelSort; dir: "asc" | "desc" };

/** The search from `?q=&sort=&dir=`; anything unknown falls back to the catalogue's order (by id, ascending). */
export function modelSearch(params: URLSearchParams): ModelSearch {
  const sort = params.get("sort") ?? "";
  return {
    q: (params.get("q") ?? "").trim().slice(0, 100),
    sort: Object.hasOwn(MODEL_SORTS, sort) ? (sort as ModelSort) : "id",
    dir: params.get("dir") === "desc" ? "desc" : "asc",
  };
}

/** The value a row sorts by; null (no such price, no output) sorts after every value, in either order. */
const KEY: Record<ModelSort, (m: ModelRow) => string | number | null> = {
  id: (m) => m.id,
  provider: (m) => m.provider,
  input: (m) => m.inputMicrosPerM,
  output: (m) => (m.kind === "chat" ? m.outputMicrosPerM : null),
  cachedInput: (m) => (m.kind === "chat" ? m.cachedInputMicrosPerM : null),
  cacheWrite: (m) => m.cacheWriteMicrosPerM,
  context: (m) => m.contextTokens,
  maxOutput: (m) => (m.kind === "chat" ? m.maxOutputTokens : null),
};

/** The rows whose id, provider or data policy hold every word of `q` (any case), in the asked order; ties by id. */
export function searchModels(models: ModelRow[], s: ModelSearch): ModelRow[] {
  const words = s.q.toLowerCase().split(/\s+/).filter(Boolean);
  const key = KEY[s.sort];
  const sign = s.dir === "desc" ? -1 : 1;
  return models
    .filter((m) => {
      const text = `${m.id} ${m.provider} ${m.policy} ${m.kind}`.toLowerCase();
      return words.every((w) => text.includes(w));
    })
    .sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const byId = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      if (x === null || y === null) return x === y ? byId : x === null ? 1 : -1;
      const order = x < y ? -1 : x > y ? 1 : 0;
      return sign * order || byId;
    });
}
