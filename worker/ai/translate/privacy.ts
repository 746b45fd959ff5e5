// Fields that would tell a provider who the customer or their end user is; never forwarded (ADR 021).
const IDENTIFYING_FIELDS = ["user", "metadata", "safety_identifier", "prompt_cache_key"];

export function withoutIdentity(body: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...body };
  for (const field of IDENTIFYING_FIELDS) delete copy[field];
  return copy;
}
