// The local stand-in for Analytics Engine (ADR 091). Miniflare's dataset accepts points and drops them, so in
// local mode (npm start, the tests, the bench) writeRequestPoint also keeps each point here, in the isolate's
// memory — workerd under Miniflare serves the Worker from one isolate, so every request, the cron and
// /admin/metrics see one store. Bounded: the newest MAX_POINTS points of the last RETAIN_MS; gone on restart.
// Production never keeps a point in memory: /admin/metrics reads Analytics Engine's SQL API there.
import { HOUR_MS } from "../../time";
import type { RequestPoint } from "./point";

/** @internal */
export const MAX_POINTS = 10_000;
const RETAIN_MS = 48 * HOUR_MS;

const points: RequestPoint[] = [];

export function keepLocally(point: RequestPoint): void {
  points.push(point);
  const cutoff = Date.now() - RETAIN_MS;
  let drop = Math.max(0, points.length - MAX_POINTS);
  while (drop < points.length && points[drop]!.at < cutoff) drop++;
  if (drop) points.splice(0, drop);
}

/** The kept points that arrived in [from, to), oldest first. */
export function localPoints(from: number, to: number): RequestPoint[] {
  return points.filter((p) => p.at >= from && p.at < to);
}
