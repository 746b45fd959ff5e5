// The deletion job's persisted state in the account's Durable Object: which step, where in it, what went.
import { holdsDataKey } from "../../content/data-key-store";

export const DELETION_STATE = "privacy:deletion";

export type DeletionState = {
  requestId: string;
  accountId: string;
  subject: string;
  /** Kept only until the completion notice is sent; then the job forgets it. */
  email: string | null;
  origin: string;
  /** Random; stands in for the account id on what tax law keeps. */
  token: string;
  requestedAt: number;
  executeAfter: number;
  step: number;
  cursor: string | null;
  erased: Record<string, number>;
  done: boolean;
};

export async function loadDeletion(storage: DurableObjectStorage): Promise<DeletionState | undefined> {
  return storage.get<DeletionState>(DELETION_STATE);
}

export async function saveDeletion(storage: DurableObjectStorage, state: DeletionState): Promise<void> {
  await storage.put(DELETION_STATE, state);
}

/**
 * True once erasure has begun (or finished): from then on the account's object accepts no new data, so
 * work that outlives the tombstone — a stream that ends late, its usage row — leaves nothing behind.
 * Within a grace period data is still accepted: a canceled deletion must find the account complete.
 */
export async function erasureBegun(storage: DurableObjectStorage, now = Date.now()): Promise<boolean> {
  const state = await loadDeletion(storage);
  return Boolean(state && (state.done || state.step > 0 || now >= state.executeAfter));
}

export type ErasureProbe = {
  requestId: string;
  accountId: string;
  done: boolean;
  dataKeyLeft: boolean;
} | null;

/** For the promise report: the finished deletion this object ran, and whether any data key is left. */
export async function erasureProbe(storage: DurableObjectStorage): Promise<ErasureProbe> {
  const state = await loadDeletion(storage);
  if (!state) return null;
  return {
    requestId: state.requestId,
    accountId: state.accountId,
    done: state.done,
    dataKeyLeft: await holdsDataKey(storage),
  };
}
