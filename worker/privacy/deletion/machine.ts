// The deletion state machine: idempotent steps run in order by the account's Durable Object, the
// position persisted after every batch, so an alarm after any crash resumes exactly where it stopped.
import { eq } from "drizzle-orm";
import { privacyRequests } from "../../../db/schema";
import type { Hosted } from "../../account-object/hosted";
import { eraseStripeCustomer } from "../../billing/erasure";
import { getConfig } from "../../config";
import { getDb } from "../../db";
import { sendNotice } from "../../notices/send";
import { DAY_MS } from "../../time";
import type { DataHolder } from "../holders/holder";
import type { Inside } from "../jobs/run";
import { receiptNotice } from "../receipts/readable";
import { RECEIPT_KIND, type ReceiptBody, signDocument } from "../receipts/receipt";
import { recordTrail } from "../trail";
import { type DeletionState, loadDeletion, saveDeletion } from "./state";

/** How far back D1 Time Travel can restore the database (Cloudflare's documented maximum on paid plans). */
const D1_TIME_TRAVEL_DAYS = 30;

type StepResult = { erased: number; next: string | null };
export type Step = {
  name: string;
  location: string;
  run: (env: Env, s: DeletionState) => Promise<StepResult>;
};

/** The steps: shred the key first (any copy anywhere becomes unreadable), Stripe, the object's buffers, every holder, done. */
export function deletionSteps(inside: Inside, holders: DataHolder[]): Step[] {
  const hosted = (c: Pick<Hosted, "name" | "location" | "erase">): Step => ({
    name: c.name,
    location: c.location,
    run: async (_env, s) => ({ erased: await c.erase(s.accountId), next: null }),
  });
  return [
    hosted(inside.dataKey),
    {
      name: "stripe_customer",
      location: "Stripe customer, its subscriptions and payment methods",
      run: async (env, s) => {
        const { customerDeleted } = await eraseStripeCustomer(env, s.accountId);
        return { erased: customerDeleted ? 1 : 0, next: null };
      },
    },
    // Dropped, so a later flush cannot write the rows back to D1.
    ...inside.buffers.map(hosted),
    ...holders.map(
      (h): Step => ({
        name: h.name,
        location: h.location,
        run: (env, s) =>
          h.erase(env, s.accountId, s.cursor, { token: s.token, now: new Date(s.requestedAt) }),
      }),
    ),
  ];
}

async function setProgress(env: Env, state: DeletionState, progress: string): Promise<void> {
  await getDb(env.DB)
    .update(privacyRequests)
    .set({ progress, updatedAt: new Date() })
    .where(eq(privacyRequests.id, state.requestId));
}

/**
 * Runs deletion steps until done or the time budget is spent. Returns true when work remains.
 * A throwing step leaves the state at the last persisted batch; the caller re-arms the alarm.
 */
export async function advanceDeletion(
  ctx: DurableObjectState,
  env: Env,
  inside: Inside,
  holders: DataHolder[],
  budgetMs: number,
): Promise<boolean> {
  const state = await loadDeletion(ctx.storage);
  if (!state || state.done) return false;
  if (Date.now() < state.executeAfter) return false;
  const steps = deletionSteps(inside, holders);
  const started = Date.now();
  while (state.step < steps.length) {
    if (Date.now() - started > budgetMs) return true;
    const step = steps[state.step]!;
    if (state.cursor === null)
      await setProgress(env, state, `erasing: ${step.name} (${state.step + 1}/${steps.length})`);
    const { erased, next } = await step.run(env, state);
    state.erased[step.name] = (state.erased[step.name] ?? 0) + erased;
    if (next === null) {
      state.step += 1;
      state.cursor = null;
    } else state.cursor = next;
    await saveDeletion(ctx.storage, state);
  }
  await finishDeletion(ctx, env, state, steps, holders);
  state.done = true;
  state.email = null;
  await saveDeletion(ctx.storage, state);
  return false;
}

/** Receipt, request record (detached from the account), trail entry, notice. Safe to repeat. */
async function finishDeletion(
  ctx: DurableObjectState,
  env: Env,
  state: DeletionState,
  steps: Step[],
  holders: DataHolder[],
) {
  const db = getDb(env.DB);
  const now = new Date();
  const receipt = await signDocument<ReceiptBody>(env, state.origin, getConfig(env).appName, {
    kind: RECEIPT_KIND,
    requestId: state.requestId,
    subject: state.subject,
    retainedToken: state.token,
    requestedAt: new Date(state.requestedAt).toISOString(),
    completedAt: now.toISOString(),
    issuedAt: now.toISOString(),
    erased: steps.map((s) => ({ holder: s.name, location: s.location, records: state.erased[s.name] ?? 0 })),
    retained: holders.flatMap((h) => h.retains?.(now) ?? []),
    backups: `Live data erased at ${now.toISOString()}. Database point-in-time backups (D1 Time Travel) expire by ${new Date(now.getTime() + D1_TIME_TRAVEL_DAYS * DAY_MS).toISOString()}. Until then, logged content, WhatsApp messages and WhatsApp connection secrets in them stay unreadable because the account's data key was destroyed; account metadata in them (email, usage, billing rows) is deleted when they expire.`,
  });
  await db
    .update(privacyRequests)
    .set({
      status: "completed",
      completedAt: now,
      updatedAt: now,
      accountId: null,
      progress: "completed",
      receipt: JSON.stringify(receipt),
    })
    .where(eq(privacyRequests.id, state.requestId));
  await recordTrail(db, {
    requestId: state.requestId,
    subject: state.subject,
    actor: "system",
    action: "deletion.completed",
    // The object's id lets the promise report ask it later whether anything is left (no account id here).
    detail: { erased: state.erased, retainedToken: state.token, object: ctx.id.toString() },
  });
  if (state.email) {
    await sendNotice(env, {
      to: state.email,
      kind: "deletion_completed",
      subject: "Your account has been deleted",
      text: receiptNotice(receipt, state.origin),
      accountId: null,
      // A resumed finish sends it once.
      key: `deletion-completed/${state.requestId}`,
    });
  }
}
