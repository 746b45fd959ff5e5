// The live promise report: runs every self-audit (cron), records each result in D1, tells operators when
// a check turns broken, and reads the report back — public (counts and config only) or for operators.

import { type PromiseCheckStatus, promiseCheckStatuses } from "../../../db/schema";
import { getConfig } from "../../config";
import { sendNotice } from "../../notices/send";
import { allChecks, type Check, type CheckResult } from "./audits";
import { promiseCatalogue } from "./catalogue";

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
export async function runSelfAudits(
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
        summary: `The self-audit could not run (${error instanceof Error ? error.name : "error"}).`,
        facts: {},
      };
    }
    const previous = await env.DB.prepare("SELECT status FROM promise_checks WHERE id = ?")
      .bind(check.id)
      .first<{ status: PromiseCheckStatus }>();
    const evidence: Evidence = { summary: result.summary, facts: result.facts, refs: result.refs };
    await env.DB.prepare(
      `INSERT INTO promise_checks (id, promise, status, evidence, ran_at, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
       ON CONFLICT (id) DO UPDATE SET promise = ?2, status = ?3, evidence = ?4, ran_at = ?5,
         changed_at = CASE WHEN promise_checks.status = ?3 THEN promise_checks.changed_at ELSE ?5 END`,
    )
      .bind(check.id, check.promise, result.status, JSON.stringify(evidence), now.getTime())
      .run();
    if (result.status === "broken" && previous?.status !== "broken")
      newlyBroken.push({ id: check.id, summary: result.summary });
    out[check.id] = result.status;
  }
  if (newlyBroken.length) await tellOperators(env, newlyBroken);
  return out;
}

async function tellOperators(env: Env, broken: { id: string; summary: string }[]): Promise<void> {
  const lines = broken.map((b) => `- ${b.id}: ${b.summary}`).join("\n");
  for (const to of getConfig(env).adminEmails) {
    await sendNotice(env, {
      to,
      kind: "operator_promise_broken",
      subject: `Privacy promise check broken: ${broken.map((b) => b.id).join(", ")}`,
      text: `A self-audit of the privacy promises found a broken promise:\n\n${lines}\n\nDetails and pointers: /admin.`,
      accountId: null,
    });
  }
}

export type ReportCheck = {
  id: string;
  status: PromiseCheckStatus;
  summary: string;
  facts: CheckResult["facts"];
  ranAt: string | null;
  changedAt: string | null;
  refs?: string[];
};

export type PromiseReport = {
  status: PromiseCheckStatus;
  generatedAt: string;
  promises: {
    id: string;
    promise: string;
    mechanism: string;
    config: Record<string, unknown>;
    status: PromiseCheckStatus;
    lastRunAt: string | null;
    checks: ReportCheck[];
  }[];
};

/** The report from the last recorded audits; `operator` adds the pointers behind each finding. */
export async function promiseReport(env: Env, opts: { operator?: boolean } = {}): Promise<PromiseReport> {
  const { results } = await env.DB.prepare("SELECT * FROM promise_checks").all<Row>();
  const byId = new Map(results.map((r) => [r.id, r]));
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const promises = promiseCatalogue(getConfig(env)).map((p) => {
    const checks: ReportCheck[] = p.checks.map((id) => {
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
