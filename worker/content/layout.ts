// Where content lives in R2 and how it expires: one prefix per retention class, so R2 lifecycle
// rules (one per class) and the cron sweep agree on what is due. Pure: the deploy script uses it too.
import { policy } from "../config";

export type RetentionDays = (typeof policy.retentionChoicesDays)[number];

export const retentionClasses: readonly RetentionDays[] = policy.retentionChoicesDays;

export const classPrefix = (days: RetentionDays) => `content/${days}d/`;

/** Request ids come from our own code, but an object key must never be steered by a slash or dot-dot. */
const safeSegment = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 128) || "_";

/** `content/<N>d/<accountId>/<yyyy-mm-dd>/<requestId>` */
export function contentObjectKey(days: RetentionDays, accountId: string, createdAt: Date, requestId: string) {
  const date = createdAt.toISOString().slice(0, 10);
  return `${classPrefix(days)}${safeSegment(accountId)}/${date}/${safeSegment(requestId)}`;
}

export type ContentObjectKey = { days: RetentionDays; accountId: string; date: string; requestId: string };

export function parseContentObjectKey(key: string): ContentObjectKey | null {
  const m = /^content\/(\d+)d\/([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)$/.exec(key);
  const days = Number(m?.[1]) as RetentionDays;
  if (!m || !retentionClasses.includes(days)) return null;
  return { days, accountId: m[2]!, date: m[3]!, requestId: m[4]! };
}

/** Exports live under `exports/<account>/` and are deleted by cron 72 h after they are ready; R2 backs that up. */
export const EXPORTS_PREFIX = "exports/";
const EXPORT_BACKSTOP_DAYS = 4;

/** The bucket's lifecycle configuration (`wrangler r2 bucket lifecycle set --file`): one rule per class, one for exports. */
export function lifecycleRules() {
  const rule = (id: string, prefix: string, days: number) => ({
    id,
    enabled: true,
    conditions: { prefix },
    deleteObjectsTransition: { condition: { type: "Age", maxAge: days * 86_400 } },
    abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 86_400 } },
  });
  return {
    rules: [
      ...retentionClasses.map((days) => rule(`content-${days}d`, classPrefix(days), days)),
      rule("exports", EXPORTS_PREFIX, EXPORT_BACKSTOP_DAYS),
    ],
  };
}

/** Where whatever sets the bucket's lifecycle rules records what it set; the P5 promise check reads it. */
export const DEPLOYED_LIFECYCLE_KEY = "deploy/lifecycle.json";

/**
 * The record of one `lifecycle set`: when, by what (`npm run deploy` or the local server, which has no
 * lifecycle engine and relies on the cron sweep), and exactly the rules it set.
 * @internal
 */
export function lifecycleRecord(setAt: Date, setBy: "deploy" | "local", rules = lifecycleRules().rules) {
  return { setAt: setAt.toISOString(), setBy, rules };
}
