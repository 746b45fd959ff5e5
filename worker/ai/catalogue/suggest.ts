// "Did you mean …?": the catalogue ids nearest to one that names nothing.

/** Up to three ids nearest to what was asked (by edit distance of the name after "provider/"). */
export function similar(id: string, ids: string[]): string[] {
  const name = (s: string) => s.slice(s.indexOf("/") + 1).toLowerCase();
  const wanted = name(id);
  const near = ids
    .map((candidate) => ({ candidate, d: distance(wanted, name(candidate)) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(wanted.length / 3)));
  // Only the nearest: "gpt-4o-mimi" suggests gpt-4o-mini, not every model a few edits away.
  const best = Math.min(...near.map(({ d }) => d));
  return near
    .filter(({ d }) => d === best)
    .map(({ candidate }) => candidate)
    .sort()
    .slice(0, 3);
}

/** Levenshtein distance, one row at a time. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
