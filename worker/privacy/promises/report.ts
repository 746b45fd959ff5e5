// The live promise report: runs every promise check (cron), records each result in D1, tells operators when
// a check turns broken, and reads the report back — public (counts and config only) or for operators.

import { type PromiseCheckStatus, promiseCheckStatuses } from "../../../db/schema";
import { getConfig } from "../../config";
import { sha256Hex } from "../../crypto/encoding";
import { sendNotice } from "../../notices/send";
import { promiseCatalogue } from "./catalogue";
import { allChecks, type Check, type CheckResult } from "./checks";
import type { PromiseReport, ReportCheckView } from "./views";

type Evidence = Pick<CheckResult, "summary" | "facts" | "refs">;
type Row = {
  id: string;
  promise: string;
  status: PromiseCheckStatus;
  evidence: string;
  ran_at: number;
  changed_at: number;
};

const rank = (s: PromiseCheckStatus) => promiseCheckStatuses.indexOf(s);
const worst = (list: PromiseCheckStatus[]) =>
  list.reduce<PromiseCheckStatus>((a, b) => (rank(b) > rank(a) ? b : a), "kept");

/** Runs each check (a throwing check counts as at_risk, with its error name), records it, notifies. */
export async function runPromiseChecks(
  env: Env,
  now: Date,
  checks: Check[] = allChecks(),
): Promise<Record<string, PromiseCheckStatus>> {
  const out: Record<string, PromiseCheckStatus> = {};
  const newlyBroken: { id: string; summary: string }[] = [];
  for (const check of checks) {
    let result: CheckResult;
    try {
      result = await check.run(env, now);
    } catch (error) {
      result = {
        status: "at_risk",
        summary: `The promise check could not run (${error instanceof Error ? error.name : "error"}).`,
        facts: {},
      };
    }
    const evidence: Evidence = { summary: result.summary, facts: result.facts, refs: result.refs };
    // One statement records the result and says whether the status changed now: two overlapping runs
    // cannot both see the same transition.
    const recorded = await env.DB.prepare(
      `INSERT INTO promise_checks (id, promise, status, evidence, ran_at, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
       ON CONFLICT (id) DO UPDATE SET promise = ?2, status = ?3, evidence = ?4, ran_at = ?5,
         changed_at = CASE WHEN promise_checks.status = ?3 THEN promise_checks.changed_at ELSE ?5 END
       RETURNING changed_at`,
    )
      .bind(check.id, check.promise, result.status, JSON.stringify(evidence), now.getTime())
      .first<{ changed_at: number }>();
    if (result.status === "broken" && recorded?.changed_at === now.getTime())
      newlyBroken.push({ id: check.id, summary: result.summary });
    out[check.id] = result.status;
  }
  if (newlyBroken.length) await tellOperators(env, newlyBroken, now);
  return out;
}

/**
 * One notice per operator per run that turned checks broken: the check ids and their summaries (counts and
 * config only — never the pointers, which can name accounts). Keyed by the run, so a retried run sends it once.
 */
async function tellOperators(env: Env, broken: { id: string; summary: string }[], now: Date): Promise<void> {
  const lines = broken.map((b) => `- ${b.id}: ${b.summary}`).join("\n");
  for (const to of getConfig(env).adminEmails) {
    await sendNotice(env, {
      to,
      kind: "operator_promise_broken",
      subject: `Privacy promise check broken: ${broken.map((b) => b.id).join(", ")}`,
      text: `A promise check of the privacy promises found a broken promise:\n\n${lines}\n\nDetails and pointers: /admin.`,
      accountId: null,
      // The outbox keeps the key as a husk after sending: the address only as a hash in it.
      key: `promise-broken/${now.getTime()}/${(await sha256Hex(to)).slice(0, 16)}`,
    });
  }
}

/** The report from the last recorded audits; `operator` adds the pointers behind each finding. */
export async function promiseReport(env: Env, opts: { operator?: boolean } = {}): Promise<PromiseReport> {
  const { results } = await env.DB.prepare("SELECT * FROM promise_checks").all<Row>();
  const byId = new Map(results.map((r) => [r.id, r]));
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const promises = promiseCatalogue(getConfig(env)).map((p) => {
    const checks: ReportCheckView[] = p.checks.map((id) => {
      const row = byId.get(id);
      if (!row)
        return {
          id,
          status: "at_risk",
          summary: "Not audited yet.",
          facts: {},
          ranAt: null,
          changedAt: null,
        };
      const evidence = JSON.parse(row.evidence) as Evidence;
      return {
        id,
        status: row.status,
        summary: evidence.summary,
        facts: evidence.facts,
        ranAt: iso(row.ran_at),
        changedAt: iso(row.changed_at),
        ...(opts.operator && evidence.refs ? { refs: evidence.refs } : {}),
      };
    });
    const ran = checks.map((c) => c.ranAt).filter((t): t is string => t !== null);
    return {
      ...p,
      status: worst(checks.map((c) => c.status)),
      lastRunAt: ran.length === checks.length ? ran.sort()[0]! : null,
      checks,
    };
  });
  return { status: worst(promises.map((p) => p.status)), generatedAt: new Date().toISOString(), promises };
}

/** For the health endpoint: the ids of the checks recorded as broken. */
export async function brokenChecks(env: Env): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT id FROM promise_checks WHERE status = 'broken' ORDER BY id",
  ).all<{
    id: string;
  }>();
  return results.map((r) => r.id);
}

type OperatorCheck = ReportCheckView & { promiseId: string; promise: string };

/**
 * What /admin shows first: every check that is not kept, broken before at risk, with its evidence and
 * pointers; the kept ones only counted. `lastRunAt` is the most recent run of any check.
 */
export function failuresFirst(report: PromiseReport) {
  const checks: OperatorCheck[] = report.promises.flatMap((p) =>
    p.checks.map((c) => ({ ...c, promiseId: p.id, promise: p.promise })),
  );
  const failing = checks
    .filter((c) => c.status !== "kept")
    .sort((a, b) => rank(b.status) - rank(a.status) || a.id.localeCompare(b.id));
  const ran = checks.map((c) => c.ranAt).filter((t): t is string => t !== null);
  return {
    status: report.status,
    lastRunAt: ran.length ? ran.sort().at(-1)! : null,
    failing,
    kept: checks.filter((c) => c.status === "kept").map((c) => ({ id: c.id, promiseId: c.promiseId })),
    total: checks.length,
  };
}
