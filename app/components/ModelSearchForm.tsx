// The models page's search box and sort order: a plain GET form, so it works without JavaScript.
import { Form, Link } from "react-router";
import { MODEL_SORTS, type ModelSearch } from "../lib/model-search";

export function ModelSearchForm({
  search,
  shown,
  total,
}: {
  search: ModelSearch;
  shown: number;
  total: number;
}) {
  return (
    <>
      <Form method="get" className="filters card" aria-label="Search and sort models">
        <label>
          Search
          <input type="search" name="q" defaultValue={search.q} placeholder="claude, openai, no training…" />
        </label>
        <label>
          Sort by
          <select name="sort" defaultValue={search.sort}>
            {Object.entries(MODEL_SORTS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Order
          <select name="dir" defaultValue={search.dir}>
            <option value="asc">Lowest first (A–Z)</option>
            <option value="desc">Highest first (Z–A)</option>
          </select>
        </label>
        <div className="inline">
          <button type="submit">Show</button>
          <Link to="?" className="button secondary">
            Clear
          </Link>
        </div>
      </Form>
      <p className="muted" aria-live="polite" data-testid="models-count">
        {shown === total ? `${total} models` : `${shown} of ${total} models`}
      </p>
    </>
  );
}
