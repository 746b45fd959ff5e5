// The promise checks behind the promise report: each looks at what the system actually holds right now
// (R2 listings, D1 rows, the account objects, the configuration) and says kept, at_risk or broken, with
// evidence as counts and config values. `refs` (request ids, object keys) are for operators only.

import { z } from "zod";
import type { PromiseCheckStatus } from "../../../db/schema";
import { accountNamespace, accountObject } from "../../account-object/stub";
import { policyOfProviderNamed } from "../../ai/catalogue";
import { type DataPolicyName, violatedPolicy } from "../../ai/data-policy/rules";
import { getConfig } from "../../config";
import {
  classPrefix,
  DEPLOYED_LIFECYCLE_KEY,
  lifecycleRules,
  parseContentObjectKey,
  retentionClasses,
} from "../../content/layout";
import { getDb } from "../../db";
import { segmentPrefix } from "../../request-log/segments";
import { upstreamUrlProblem } from "../../security/upstream-url";
import { DAY_MS, HOUR_MS } from "../../time";
import { trainingInclusion } from "../../training/export";
import { sealedNoteField } from "../../whatsapp/contact-data/erase";
import { NOTICE_TABLES, noticeKeyNames, noticeKeyPart } from "../../whatsapp/contact-data/stores";
import { open as openWhatsApp } from "../../whatsapp/sealing";
import { exportPrefix, holders } from "../holders";
import { contentPrefixes } from "../holders/content";
import { holderTables } from "../holders/counts";
import { policySections } from "../policy";
import { signingKey } from "../receipts/signing-keys";

export type CheckResult = {
  status: PromiseCheckStatus;
  summary: string;
  facts: Record<string, string | number | boolean>;
  /** Operator-only pointers (request ids, object keys); never on the public report. */
  refs?: string[];
};

export type Check = { id: string; promise: string; run: (env: Env, now: Date) => Promise<CheckResult> };

/** Objects listed per retention class: a sample, bounded so the check stays cheap on any bucket. */
const SAMPLE_PER_CLASS = 1_000;
/** Overdue by more than this before it counts: the sweep runs every few minutes, in the same tick as us. */
const SWEEP_GRACE_MS = 60 * 60_000;
/** A request in flight when logging was switched off may land just after. */
const LOGGING_OFF_GRACE_MS = 60_000;
/** Recent rows looked at by the usage, key and notice checks. */
const RECENT_ROWS = 200;
/** Recent completed deletions whose account object is asked what is left. */
const RECENT_DELETIONS = 25;

const REFS_MAX = 20;
const kept = (summary: string, facts: CheckResult["facts"] = {}): CheckResult => ({
  status: "kept",
  summary,
  facts,
});

async function sampleClass(env: Env, days: number): Promise<R2Object[]> {
  const out: R2Object[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.CONTENT.list({
      prefix: classPrefix(days as never),
      cursor,
      limit: Math.min(1000, SAMPLE_PER_CLASS - out.length),
      include: ["customMetadata"],
    });
    out.push(...page.objects);
    cursor = page.truncated && out.length < SAMPLE_PER_CLASS ? page.cursor : undefined;
  } while (cursor);
  return out;
}

/** Tables whose rows name an account: every table with an account_id column, and accounts itself. */
async function accountTables(env: Env): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
  ).all<{ name: string }>();
  const out: string[] = [];
  for (const { name } of results) {
    if ((await columnsOf(env, name)).includes("account_id")) out.push(name);
  }
  return out;
}

async function columnsOf(env: Env, table: string): Promise<string[]> {
  const { results } = await env.DB.prepare(`SELECT name FROM pragma_table_info(?)`)
    .bind(table)
    .all<{ name: string }>();
  return results.map((r) => r.name);
}

async function allTables(env: Env): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  return results.map((r) => r.name);
}

const contentAge: Check = {
  id: "p5.content_age",
  promise: "P5",
  async run(env, now) {
    const facts: CheckResult["facts"] = {};
    const refs: string[] = [];
    let expired = 0;
    let worstHours = 0;
    for (const days of retentionClasses) {
      const objects = await sampleClass(env, days);
      const late = objects.filter(
        (o) => o.uploaded.getTime() + days * DAY_MS + SWEEP_GRACE_MS < now.getTime(),
      );
      facts[`sampled_${days}d`] = objects.length;
      facts[`expired_${days}d`] = late.length;
      expired += late.length;
      for (const o of late) {
        worstHours = Math.max(
          worstHours,
          Math.round((now.getTime() - o.uploaded.getTime() - days * DAY_MS) / HOUR_MS),
        );
        if (refs.length < REFS_MAX) refs.push(o.key);
      }
    }
    if (expired)
      return {
        status: "broken",
        summary: `${expired} content object(s) are older than their retention class allows (up to ${worstHours} h overdue).`,
        facts: { ...facts, expired, worstOverdueHours: worstHours },
        refs,
      };
    return kept("No sampled content object is older than its retention class allows.", facts);
  },
};

const loggingOff: Check = {
  id: "p5.logging_off",
  promise: "P5",
  async run(env) {
    const byAccount = new Map<string, R2Object[]>();
    let sampled = 0;
    for (const days of retentionClasses) {
      for (const o of await sampleClass(env, days)) {
        const parsed = parseContentObjectKey(o.key);
        if (!parsed) continue;
        sampled += 1;
        byAccount.set(parsed.accountId, [...(byAccount.get(parsed.accountId) ?? []), o]);
      }
    }
    const refs: string[] = [];
    let violating = 0;
    let accounts = 0;
    for (const [accountId, objects] of byAccount) {
      const setting = await env.DB.prepare(
        "SELECT content_logging FROM privacy_settings WHERE account_id = ?",
      )
        .bind(accountId)
        .first<{ content_logging: number }>();
      if (setting?.content_logging) continue;
      // Logging is off (or was never on): nothing may have been stored since it was last switched off.
      const off = await env.DB.prepare(
        "SELECT max(at) AS at FROM consent_events WHERE account_id = ? AND setting = 'contentLogging' AND new_value = 0",
      )
        .bind(accountId)
        .first<{ at: number | null }>();
      const since = off?.at ?? Number.NEGATIVE_INFINITY;
      const bad = objects.filter((o) => o.uploaded.getTime() > since + LOGGING_OFF_GRACE_MS);
      if (bad.length) {
        accounts += 1;
        violating += bad.length;
        for (const o of bad) if (refs.length < REFS_MAX) refs.push(o.key);
      }
    }
    const facts = { sampledObjects: sampled, accountsWithContent: byAccount.size };
    if (violating)
      return {
        status: "broken",
        summary: `${violating} content object(s) of ${accounts} account(s) were stored while content logging was off.`,
        facts: { ...facts, violatingObjects: violating, violatingAccounts: accounts },
        refs,
      };
    return kept(
      "No sampled content belongs to an account whose content logging was off when it was stored.",
      facts,
    );
  },
};

/** The deploy's record (worker/content/layout.ts lifecycleRecord), read with zod: it is data from outside. */
const DeployedLifecycle = z.object({
  setAt: z.iso.datetime(),
  setBy: z.string().max(40).optional(),
  rules: z
    .array(
      z.looseObject({
        id: z.string().max(200),
        enabled: z.boolean(),
        conditions: z.looseObject({ prefix: z.string().max(1024) }).optional(),
        deleteObjectsTransition: z
          .looseObject({ condition: z.looseObject({ type: z.string(), maxAge: z.number().optional() }) })
          .optional(),
      }),
    )
    .max(1000),
});

const lifecycle: Check = {
  id: "p5.lifecycle_rules",
  promise: "P5",
  async run(env) {
    const expected = lifecycleRules().rules;
    const object = await env.CONTENT.get(DEPLOYED_LIFECYCLE_KEY);
    const facts: CheckResult["facts"] = { expectedRules: expected.length };
    if (!object)
      return {
        status: "at_risk",
        summary:
          "The deploy has not recorded the bucket's lifecycle rules, so it cannot be shown that R2 expires each retention class; the cron sweep still deletes on time.",
        facts: { ...facts, recorded: false },
      };
    let json: unknown;
    try {
      json = await object.json();
    } catch {
      json = undefined;
    }
    const parsed = DeployedLifecycle.safeParse(json);
    if (!parsed.success)
      return {
        status: "broken",
        summary:
          "The deploy's lifecycle record is not in the expected shape, so no rule can be shown to apply.",
        facts: { ...facts, recorded: true, readable: false },
      };
    const record = parsed.data;
    // Per expected rule: the deployed, enabled age rule for exactly its prefix, and how its age compares.
    const missing: string[] = [];
    const longer: string[] = [];
    const shorter: string[] = [];
    for (const rule of expected) {
      const days = rule.deleteObjectsTransition.condition.maxAge / 86_400;
      const match = record.rules.find(
        (r) =>
          r.enabled &&
          r.conditions?.prefix === rule.conditions.prefix &&
          r.deleteObjectsTransition?.condition.type === "Age" &&
          typeof r.deleteObjectsTransition.condition.maxAge === "number",
      );
      const age = match?.deleteObjectsTransition?.condition.maxAge;
      if (age === undefined) missing.push(`${rule.id} (${rule.conditions.prefix}: no enabled age rule)`);
      else if (age > rule.deleteObjectsTransition.condition.maxAge)
        longer.push(`${rule.id} (${rule.conditions.prefix}: ${age / 86_400} days, class ${days})`);
      else if (age < rule.deleteObjectsTransition.condition.maxAge)
        shorter.push(`${rule.id} (${rule.conditions.prefix}: ${age / 86_400} days, class ${days})`);
    }
    const out = {
      ...facts,
      recorded: true,
      deployedRules: record.rules.length,
      setAt: record.setAt,
      setBy: record.setBy ?? "unknown",
      missing: missing.length,
      longer: longer.length,
      shorter: shorter.length,
    };
    if (missing.length || longer.length)
      return {
        status: "broken",
        summary: `The deployed lifecycle rules do not expire every retention class in time: ${[...missing, ...longer].join("; ")}.`,
        facts: out,
        refs: [...missing, ...longer],
      };
    if (shorter.length)
      return {
        status: "at_risk",
        summary: `The deployed lifecycle rules delete sooner than the retention class: ${shorter.join("; ")}.`,
        facts: out,
        refs: shorter,
      };
    return kept(
      `The lifecycle rules set on ${record.setAt.slice(0, 10)} (${out.setBy}) expire every retention class in time.`,
      out,
    );
  },
};

/** The training export's inclusion, as a dry count; a parameter so a test can audit a faulty one. */
export type TrainingSource = (env: Env) => AsyncGenerator<{ accountId: string; object: R2Object }>;
const realTraining: TrainingSource = (env) => trainingInclusion(env, getDb(env.DB));

/** @internal */
export function trainingConsentCheck(source: TrainingSource = realTraining): Check {
  return {
    id: "p6.training_consent",
    promise: "P6",
    async run(env) {
      const consenting = new Map<string, boolean>();
      let included = 0;
      let bad = 0;
      const refs: string[] = [];
      for await (const { accountId, object } of source(env)) {
        included += 1;
        let ok = consenting.get(accountId);
        if (ok === undefined) {
          const row = await env.DB.prepare(
            `SELECT a.status AS status, s.training_consent AS consent FROM accounts a
             LEFT JOIN privacy_settings s ON s.account_id = a.id WHERE a.id = ?`,
          )
            .bind(accountId)
            .first<{ status: string; consent: number | null }>();
          ok = row?.status === "active" && row.consent === 1;
          consenting.set(accountId, ok);
        }
        if (!ok || object.customMetadata?.source === "whatsapp") {
          bad += 1;
          if (refs.length < REFS_MAX) refs.push(object.key);
        }
      }
      const facts = { includedObjects: included, includedAccounts: consenting.size };
      if (bad)
        return {
          status: "broken",
          summary: `The training export would include ${bad} object(s) from accounts without current consent (or from WhatsApp).`,
          facts: { ...facts, withoutConsent: bad },
          refs,
        };
      return kept("A dry count of the training export includes only accounts that consent now.", facts);
    },
  };
}

const deadlines: Check = {
  id: "p9.deadlines",
  promise: "P9",
  async run(env, now) {
    const { results } = await env.DB.prepare(
      "SELECT id, due_at FROM privacy_requests WHERE status IN ('received','verifying','in_progress') ORDER BY due_at",
    ).all<{ id: string; due_at: number }>();
    const overdue = results.filter((r) => r.due_at < now.getTime());
    const facts = { openRequests: results.length, overdue: overdue.length };
    if (overdue.length)
      return {
        status: "broken",
        summary: `${overdue.length} privacy request(s) are past their ${getConfig(env).policy.deletionDeadlineDays}-day deadline.`,
        facts,
        refs: overdue.slice(0, REFS_MAX).map((r) => r.id),
      };
    return kept("No open privacy request is past its deadline.", facts);
  },
};

/** For each recently completed deletion: no row in any table, no object in R2, no data key in its object. */
const nothingLeft: Check = {
  id: "p9.nothing_left",
  promise: "P9",
  async run(env) {
    const { results } = await env.DB.prepare(
      `SELECT request_id, json_extract(detail, '$.object') AS object FROM privacy_audit
       WHERE action = 'deletion.completed' AND json_extract(detail, '$.object') IS NOT NULL
       ORDER BY at DESC LIMIT ?`,
    )
      .bind(RECENT_DELETIONS)
      .all<{ request_id: string; object: string }>();
    const tables = await accountTables(env);
    let rowsLeft = 0;
    let objectsLeft = 0;
    let keysLeft = 0;
    let requestsKept = 0;
    const refs: string[] = [];
    for (const r of results) {
      const probe = await accountNamespace(env)
        .get(accountNamespace(env).idFromString(r.object))
        .erasureProbe();
      if (!probe || probe.requestId !== r.request_id) continue;
      // What is kept on purpose: the account's privacy requests, under its pseudonym and without its id.
      const kept = await env.DB.prepare(
        `SELECT count(*) AS n FROM privacy_requests WHERE account_id IS NULL
           AND subject = (SELECT subject FROM privacy_requests WHERE id = ?)`,
      )
        .bind(r.request_id)
        .first<{ n: number }>();
      requestsKept += kept?.n ?? 0;
      let left = 0;
      for (const t of tables) {
        const row = await env.DB.prepare(`SELECT count(*) AS n FROM "${t}" WHERE account_id = ?`)
          .bind(probe.accountId)
          .first<{ n: number }>();
        if (row?.n) {
          rowsLeft += row.n;
          left += row.n;
        }
      }
      const account = await env.DB.prepare("SELECT count(*) AS n FROM accounts WHERE id = ?")
        .bind(probe.accountId)
        .first<{ n: number }>();
      rowsLeft += account?.n ?? 0;
      left += account?.n ?? 0;
      const prefixes = [
        ...contentPrefixes(probe.accountId),
        exportPrefix(probe.accountId),
        segmentPrefix(probe.accountId),
      ];
      for (const prefix of prefixes) {
        const n = (await env.CONTENT.list({ prefix, limit: 100 })).objects.length;
        objectsLeft += n;
        left += n;
      }
      // The request log's rows and segment index in the account's own object (ADR 090).
      const held = await accountNamespace(env)
        .get(accountNamespace(env).idFromString(r.object))
        .requestLogHeld();
      rowsLeft += held.rows + held.segments;
      left += held.rows + held.segments;
      if (probe.dataKeyLeft) {
        keysLeft += 1;
        left += 1;
      }
      if (left && refs.length < REFS_MAX) refs.push(r.request_id);
    }
    const facts = {
      deletionsChecked: results.length,
      rowsLeft,
      objectsLeft,
      dataKeysLeft: keysLeft,
      requestRecordsKept: requestsKept,
    };
    if (rowsLeft || objectsLeft || keysLeft)
      return {
        status: "broken",
        summary: `${refs.length} completed deletion(s) left data behind: ${rowsLeft} row(s), ${objectsLeft} object(s), ${keysLeft} data key(s).`,
        facts,
        refs,
      };
    return kept(
      "Recently completed deletions left no row, no stored object and no data key behind; only their privacy requests are kept, pseudonymised.",
      facts,
    );
  },
};

/** Recent WhatsApp contact erasures whose stores are searched for anything left with the erased hash. */
const RECENT_CONTACT_ERASURES = 25;

/**
 * For each recent contact erasure (the Contact data page): no row in any `whatsapp_*` table with a contact_hash
 * column, and no logged copy whose metadata names the contact, carries the erased hash. The hash is kept only
 * sealed under the account's data key in the erasure note, opened here.
 */
const contactsNothingLeft: Check = {
  id: "p9.contacts_nothing_left",
  promise: "P9",
  async run(env) {
    const { results } = await env.DB.prepare(
      "SELECT id, account_id, contact_hash_sealed FROM whatsapp_contact_erasures ORDER BY erased_at DESC LIMIT ?",
    )
      .bind(RECENT_CONTACT_ERASURES)
      .all<{ id: string; account_id: string; contact_hash_sealed: string }>();
    const tables: string[] = [];
    for (const t of (await allTables(env)).filter((name) => name.startsWith("whatsapp_")))
      if ((await columnsOf(env, t)).includes("contact_hash")) tables.push(t);
    let rowsLeft = 0;
    let objectsLeft = 0;
    let unreadable = 0;
    const refs: string[] = [];
    for (const r of results) {
      let hashes: string[];
      try {
        hashes = (await openWhatsApp(env, r.account_id, sealedNoteField(r.id), r.contact_hash_sealed)).split(
          ",",
        );
      } catch {
        unreadable += 1; // the account's data key is gone: the account itself was erased
        continue;
      }
      let left = 0;
      const marks = hashes.map(() => "?").join(", ");
      for (const t of tables) {
        const row = await env.DB.prepare(
          `SELECT count(*) AS n FROM "${t}" WHERE account_id = ? AND contact_hash IN (${marks})`,
        )
          .bind(r.account_id, ...hashes)
          .first<{ n: number }>();
        left += row?.n ?? 0;
        rowsLeft += row?.n ?? 0;
      }
      for (const t of NOTICE_TABLES)
        for (const h of hashes) {
          const row = await env.DB.prepare(`SELECT count(*) AS n ${noticeKeyNames(t)}`)
            .bind(noticeKeyPart(h))
            .first<{ n: number }>();
          left += row?.n ?? 0;
          rowsLeft += row?.n ?? 0;
        }
      for (const prefix of contentPrefixes(r.account_id)) {
        const page = await env.CONTENT.list({ prefix, limit: SAMPLE_PER_CLASS, include: ["customMetadata"] });
        const n = page.objects.filter((o) => hashes.includes(o.customMetadata?.contact ?? "")).length;
        left += n;
        objectsLeft += n;
      }
      if (left && refs.length < REFS_MAX) refs.push(r.id);
    }
    const facts = {
      erasuresChecked: results.length - unreadable,
      tables: tables.length,
      rowsLeft,
      objectsLeft,
    };
    if (rowsLeft || objectsLeft)
      return {
        status: "broken",
        summary: `${refs.length} erased WhatsApp contact(s) still have data: ${rowsLeft} row(s), ${objectsLeft} logged object(s).`,
        facts,
        refs,
      };
    return kept(
      "Recently erased WhatsApp contacts left no row and no logged copy with their hash behind.",
      facts,
    );
  },
};

const receiptKey: Check = {
  id: "p9.receipt_key",
  promise: "P9",
  async run(env) {
    const key = await signingKey(env);
    const facts = { kid: key.kid, source: key.source };
    if (key.source === "derived")
      return {
        status: "at_risk",
        summary:
          "RECEIPT_SIGNING_KEY is not set: receipts are signed with a key derived from MASTER_KEY, which changes if MASTER_KEY rotates.",
        facts,
      };
    return kept(
      "Deletion receipts are signed with the configured Ed25519 key, published in the JWKS.",
      facts,
    );
  },
};

const CONTENT_LIKE =
  /^(prompt|content|messages?|body|request|response|text|completion|input|output)(_(text|body|json))?$/;

const usageSchema: Check = {
  id: "p1.usage_schema",
  promise: "P1",
  async run(env) {
    const columns = await columnsOf(env, "usage_events");
    const bad = columns.filter((c) => CONTENT_LIKE.test(c));
    if (bad.length)
      return {
        status: "broken",
        summary: `Usage rows have column(s) that could hold content: ${bad.join(", ")}.`,
        facts: { columns: columns.length },
      };
    return kept("Usage rows have no column for prompts or responses.", { columns: columns.length });
  },
};

const IDENTIFIER = /^[\w.:/@+-]{0,200}$/;

/** Accounts whose request logs the P3 check samples: the most recently active ones. */
const SAMPLED_ACCOUNTS = 5;

const usageNoContent: Check = {
  id: "p3.usage_no_content",
  promise: "P3",
  async run(env) {
    // The rows live in each account's object (ADR 090): sample the newest rows of the most recently active.
    const { results: active } = await env.DB.prepare(
      "SELECT account_id FROM usage_hourly GROUP BY account_id ORDER BY max(hour) DESC LIMIT ?",
    )
      .bind(SAMPLED_ACCOUNTS)
      .all<{ account_id: string }>();
    const results: Record<string, string | null>[] = [];
    for (const { account_id } of active) {
      const rows = await accountObject(env, account_id).requestLogPage(
        account_id,
        { from: 0, to: Number.MAX_SAFE_INTEGER },
        Math.ceil(RECENT_ROWS / SAMPLED_ACCOUNTS),
      );
      for (const r of rows)
        results.push({
          id: r.id,
          source: r.source,
          endpoint: r.endpoint,
          model: r.model,
          provider: r.provider,
        });
    }
    const bad = results.filter((r) =>
      ["source", "endpoint", "model", "provider"].some(
        (k) => r[k] !== null && !IDENTIFIER.test(String(r[k])),
      ),
    );
    const facts = { rowsChecked: results.length };
    if (bad.length)
      return {
        status: "broken",
        summary: `${bad.length} of the last ${results.length} usage rows carry free text where only identifiers belong.`,
        facts: { ...facts, rowsWithText: bad.length },
        refs: bad.slice(0, REFS_MAX).map((r) => String(r.id)),
      };
    return kept("The most recent usage rows carry identifiers and numbers only, no content.", facts);
  },
};

/** Accounts with a narrowed data policy whose last hour of requests the P10 check reads. */
const POLICY_ACCOUNTS = 50;

const dataPolicyRouting: Check = {
  id: "p10.data_policy_routing",
  promise: "P10",
  async run(env, now) {
    const since = now.getTime() - HOUR_MS;
    // Accounts that chose a policy and sent requests in the last hour (the hourly aggregates say which).
    const { results: accounts } = await env.DB.prepare(
      `SELECT p.account_id, p.data_policy, p.updated_at FROM privacy_settings p
       WHERE p.data_policy != 'any'
         AND EXISTS (SELECT 1 FROM usage_hourly u WHERE u.account_id = p.account_id AND u.hour >= ?)
       ORDER BY p.updated_at DESC LIMIT ?`,
    )
      .bind(since - (since % HOUR_MS), POLICY_ACCOUNTS)
      .all<{ account_id: string; data_policy: DataPolicyName; updated_at: number }>();
    let rowsChecked = 0;
    const outside: string[] = [];
    for (const a of accounts) {
      // Requests before the policy last changed were held to the one in force then.
      const from = Math.max(since, a.updated_at);
      const rows = await env.ACCOUNT.getByName(a.account_id).requestLogPage(
        a.account_id,
        { from, to: now.getTime() },
        RECENT_ROWS,
      );
      for (const r of rows) {
        if (r.provider === "none") continue;
        rowsChecked++;
        const published = policyOfProviderNamed(r.provider);
        if (!published || violatedPolicy([a.data_policy], published)) outside.push(r.id);
      }
    }
    const facts = { accountsChecked: accounts.length, rowsChecked };
    if (outside.length)
      return {
        status: "broken",
        summary: `${outside.length} request(s) in the last hour went to a provider outside their account's data policy.`,
        facts: { ...facts, outsidePolicy: outside.length },
        refs: outside.slice(0, REFS_MAX),
      };
    return kept(
      "Every request in the last hour from an account with a data policy went to a provider that satisfies it.",
      facts,
    );
  },
};

const SHA256_HEX = /^[0-9a-f]{64}$/;

const keyHashes: Check = {
  id: "p3.key_hashes",
  promise: "P3",
  async run(env) {
    const keys = await env.DB.prepare("SELECT id, key_hash FROM api_keys ORDER BY created_at DESC LIMIT ?")
      .bind(RECENT_ROWS)
      .all<{ id: string; key_hash: string }>();
    const sessions = await env.DB.prepare(
      "SELECT id_hash AS id FROM sessions ORDER BY created_at DESC LIMIT ?",
    )
      .bind(RECENT_ROWS)
      .all<{ id: string }>();
    const badKeys = keys.results.filter((k) => !SHA256_HEX.test(k.key_hash));
    const badSessions = sessions.results.filter((s) => !SHA256_HEX.test(s.id));
    const columns = await columnsOf(env, "api_keys");
    const plain = columns.filter((c) => c === "key" || c === "secret");
    const facts = { keysChecked: keys.results.length, sessionsChecked: sessions.results.length };
    if (badKeys.length || badSessions.length || plain.length)
      return {
        status: "broken",
        summary: `${badKeys.length} API key(s) and ${badSessions.length} session(s) are stored as something other than a SHA-256 hash.`,
        facts: { ...facts, notHashedKeys: badKeys.length, notHashedSessions: badSessions.length },
        refs: badKeys.slice(0, REFS_MAX).map((k) => k.id),
      };
    return kept("API keys and sessions are stored only as SHA-256 hashes.", facts);
  },
};

const httpsUpstreams: Check = {
  id: "p4.https_upstreams",
  promise: "P4",
  async run(env) {
    const c = getConfig(env);
    const urls = {
      openai: c.openai.baseUrl,
      anthropic: c.anthropic.baseUrl,
      stripe: c.stripe.apiBaseUrl,
      whatsapp: c.whatsapp.graphBaseUrl,
    };
    const insecure = Object.entries(urls).filter(([, u]) => !u.startsWith("https://"));
    const facts = Object.fromEntries(Object.entries(urls).map(([k, u]) => [k, u.startsWith("https://")]));
    // The one upstream rule (security/upstream-url.ts), as local mode applies it: plain http only to loopback.
    if (insecure.some(([setting, u]) => upstreamUrlProblem(true, setting, u) !== undefined))
      return {
        status: "broken",
        summary: `Upstream(s) configured without https: ${insecure.map(([k]) => k).join(", ")}.`,
        facts,
      };
    if (insecure.length)
      return {
        status: "at_risk",
        summary: `Plain http on loopback for ${insecure.map(([k]) => k).join(", ")}: acceptable only in local development.`,
        facts,
      };
    return kept("Every upstream is configured over https.", facts);
  },
};

/** Columns that would hold a number or message text in the clear (hashed and sealed ones are named so). */
const CLEAR_WHATSAPP =
  /^(phone|phone_number|wa_id|sender|from|to|recipient|contact|number|body|text|message|message_text|reply|reply_text|content)$/;

const whatsappSchema: Check = {
  id: "p7.whatsapp_schema",
  promise: "P7",
  async run(env) {
    const tables = (await allTables(env)).filter((t) => t.startsWith("whatsapp_"));
    const bad: string[] = [];
    for (const t of tables)
      for (const c of await columnsOf(env, t)) if (CLEAR_WHATSAPP.test(c)) bad.push(`${t}.${c}`);
    if (bad.length)
      return {
        status: "broken",
        summary: `WhatsApp column(s) that may hold numbers or text in the clear: ${bad.join(", ")}.`,
        facts: { tables: tables.length },
      };
    return kept("WhatsApp numbers are stored only hashed and message text only sealed.", {
      tables: tables.length,
    });
  },
};

const noCardData: Check = {
  id: "p8.no_card_data",
  promise: "P8",
  async run(env) {
    const tables = await allTables(env);
    const bad: string[] = [];
    for (const t of tables)
      for (const c of await columnsOf(env, t))
        if (/(card|^pan$|cvc|cvv|iban|account_number|exp_month|exp_year)/.test(c)) bad.push(`${t}.${c}`);
    if (bad.length)
      return {
        status: "broken",
        summary: `Column(s) that look like payment data: ${bad.join(", ")}.`,
        facts: {},
      };
    return kept("No table has a column for card or bank details.", { tablesChecked: tables.length });
  },
};

const registryCoverage: Check = {
  id: "p11.registry_coverage",
  promise: "P11",
  async run(env) {
    const covered = new Set(holders.flatMap(holderTables));
    const tables = await accountTables(env);
    const missing = tables.filter((t) => !covered.has(t) && t !== "retained_billing");
    const facts = { tablesWithAccount: tables.length, holders: holders.length };
    if (missing.length)
      return {
        status: "broken",
        summary: `Table(s) naming an account that neither the export nor the deletion covers: ${missing.join(", ")}.`,
        facts: { ...facts, uncovered: missing.length },
      };
    const config = getConfig(env);
    const undeclared = holders.filter((h) => {
      const p = h.processing(config);
      return (
        !p.purpose ||
        !p.legalBasis ||
        !p.retention ||
        !p.transfers ||
        !p.categories.length ||
        !p.recipients.length
      );
    });
    if (undeclared.length)
      return {
        status: "broken",
        summary: `Holder(s) without a complete declaration of processing: ${undeclared.map((h) => h.name).join(", ")}.`,
        facts: { ...facts, undeclared: undeclared.length },
      };
    return kept("Every table that names an account is covered by the export and the deletion.", facts);
  },
};

const contactOnPolicy: Check = {
  id: "p12.contact_on_policy",
  promise: "P12",
  async run(env) {
    const config = getConfig(env);
    const contact = policySections(config).find((s) => s.id === "contact");
    const shown = contact?.paragraphs.join(" ") ?? "";
    if (!shown.includes(config.privacyContact))
      return {
        status: "broken",
        summary: "The policy page does not show the configured privacy contact.",
        facts: {},
      };
    return kept("The policy page shows the configured privacy contact.", { contact: config.privacyContact });
  },
};

const contactInNotices: Check = {
  id: "p12.contact_in_notices",
  promise: "P12",
  async run(env) {
    const { privacyContact } = getConfig(env);
    const { results } = await env.DB.prepare("SELECT id, text FROM notices ORDER BY created_at DESC LIMIT ?")
      .bind(RECENT_ROWS)
      .all<{ id: string; text: string }>();
    const bad = results.filter((n) => !n.text.includes(privacyContact));
    const facts = { noticesChecked: results.length, contact: privacyContact };
    if (bad.length)
      return {
        status: "broken",
        summary: `${bad.length} of the last ${results.length} notices do not carry the configured privacy contact.`,
        facts: { ...facts, withoutContact: bad.length },
        refs: bad.slice(0, REFS_MAX).map((n) => n.id),
      };
    return kept("Every recent notice ends with the configured privacy contact.", facts);
  },
};

/**
 * Where stored data lives (DATA_RESIDENCY): with "eu", an account object's id made the way the Worker makes
 * every one must carry the `eu` jurisdiction. The R2 bucket's jurisdiction is a binding the deploy preflight
 * holds to the setting; D1 has only a location hint, said as such.
 */
const residency: Check = {
  id: "p3.residency",
  promise: "P3",
  async run(env) {
    const setting = getConfig(env).dataResidency;
    if (setting === "global")
      return kept("No data residency is promised: data is stored in Cloudflare's global network.", {
        residency: setting,
      });
    const jurisdiction = accountNamespace(env).idFromName("residency-probe").jurisdiction ?? "none";
    const facts = {
      residency: setting,
      durableObjects: jurisdiction,
      r2: "eu (binding checked by the deploy preflight)",
      d1: "location hint only",
    };
    if (jurisdiction !== "eu")
      return {
        status: "broken",
        summary: `DATA_RESIDENCY is "eu" but account objects are made in jurisdiction "${jurisdiction}".`,
        facts,
      };
    return kept(
      "Account objects and stored content are kept in the EU jurisdiction; the database has an EU location hint only.",
      facts,
    );
  },
};

export function allChecks(overrides: { training?: TrainingSource } = {}): Check[] {
  return [
    usageSchema,
    contactInNotices,
    keyHashes,
    usageNoContent,
    dataPolicyRouting,
    httpsUpstreams,
    contentAge,
    loggingOff,
    lifecycle,
    trainingConsentCheck(overrides.training),
    whatsappSchema,
    noCardData,
    deadlines,
    nothingLeft,
    contactsNothingLeft,
    receiptKey,
    registryCoverage,
    contactOnPolicy,
    residency,
  ];
}
