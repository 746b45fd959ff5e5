// The server half of /dashboard/requests: its loader, kept out of the client bundle (React Router's
// .server convention); the page itself is in the route module beside it.
import { redirect } from "react-router";
import { getDb } from "#worker/db";
import { AppError } from "#worker/errors";
import { needsSeconds } from "#worker/format";
import { listKeys } from "#worker/keys/service";
import { listRequests, PAGE_DEFAULT, requestModels } from "#worker/request-log/entries";
import { RequestQuery, requestFilters } from "#worker/request-log/routes";
import { DAY_MS } from "#worker/time";
import { flushUsage } from "#worker/usage/record";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/requests";

/** The page's filters as the API's query: dates are whole UTC days, `to` inclusive. */
function apiQuery(params: URLSearchParams) {
  const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
  const from = day(params.get("from"));
  const to = day(params.get("to"));
  const q: Record<string, string> = {};
  if (from) q.from = `${from}T00:00:00.000Z`;
  if (to) q.to = new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS).toISOString();
  for (const name of ["keyId", "model", "status", "streamed", "cursor"]) {
    const v = params.get(name);
    if (v) q[name] = v;
  }
  return q;
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const params = new URL(request.url).searchParams;
  // Search by request id (the response's x-request-id): straight to its detail, which says if there is none.
  const wanted = params.get("id")?.trim();
  if (wanted) throw redirect(`/dashboard/requests/${encodeURIComponent(wanted.slice(0, 64))}`);
  const query = apiQuery(params);
  const shown = Object.fromEntries(
    ["from", "to", "keyId", "model", "status", "streamed"].map((n) => [n, params.get(n) ?? ""]),
  );
  await flushUsage(env, session.accountId);
  const keys = (await listKeys(db, session.accountId)).map((k) => ({
    id: k.id,
    name: `${k.name} (${k.prefix}…)`,
  }));
  const parsed = RequestQuery.safeParse({ ...query, limit: String(PAGE_DEFAULT) });
  try {
    if (!parsed.success) throw new AppError(400, "One of the filters is not valid; pick it again.");
    const filters = requestFilters(parsed.data);
    const [page, models] = await Promise.all([
      listRequests(env, db, session.accountId, filters, { cursor: parsed.data.cursor, limit: PAGE_DEFAULT }),
      requestModels(db, session.accountId, { from: new Date(Date.now() - 400 * DAY_MS), to: new Date() }),
    ]);
    const { cursor: _cursor, ...withoutCursor } = query;
    return {
      error: null,
      page,
      // A request refused before it named a model has none: it is not a model to filter by.
      models: models.filter((m) => m !== ""),
      keys,
      shown,
      seconds: needsSeconds(page.data.map((r) => r.createdAt)),
      csvHref: `/api/requests?${new URLSearchParams({ ...withoutCursor, format: "csv" })}`,
      nextHref: page.nextCursor
        ? `?${new URLSearchParams({ ...Object.fromEntries([...params].filter(([k]) => k !== "cursor")), cursor: page.nextCursor })}`
        : null,
      paged: Boolean(query.cursor),
    };
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    return {
      error: error.message,
      page: { data: [], nextCursor: null },
      models: [],
      keys,
      shown,
      seconds: false,
      csvHref: null,
      nextHref: null,
      paged: false,
    };
  }
}
