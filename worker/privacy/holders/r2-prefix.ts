// Erasing every R2 object under a set of prefixes: paged listing, up to 1,000 keys per delete call.
import type { ErasePage } from "./holder";

const LIST_LIMIT = 1_000;

/**
 * Deletes one page of objects. Cursor: "<prefix index>|<R2 list cursor>". Deleting what a listing
 * returned shifts nothing that matters: the next listing continues from its cursor, and a repeat
 * after a crash just lists the remaining objects again.
 */
export async function erasePrefixes(
  bucket: R2Bucket,
  prefixes: string[],
  cursor: string | null,
): Promise<ErasePage> {
  const bar = cursor?.indexOf("|") ?? -1;
  const index = cursor ? Number(cursor.slice(0, bar)) : 0;
  const listCursor = cursor && bar >= 0 ? cursor.slice(bar + 1) : "";
  const prefix = prefixes[index];
  if (prefix === undefined) return { erased: 0, next: null };
  const listed = await bucket.list({ prefix, limit: LIST_LIMIT, cursor: listCursor || undefined });
  const keys = listed.objects.map((o) => o.key);
  if (keys.length > 0) await bucket.delete(keys);
  if (listed.truncated) return { erased: keys.length, next: `${index}|${listed.cursor}` };
  return { erased: keys.length, next: index + 1 < prefixes.length ? `${index + 1}|` : null };
}
