// Reads an action's answer on the page: the message, each field's problem, what was typed; and a form
// that empties itself after a success (with JavaScript; without it the page is fresh anyway).
import { useEffect, useRef } from "react";
import { useNavigation } from "react-router";

export type FormState = {
  error: string | null;
  fields: Record<string, string>;
  values: Record<string, string>;
};

export function formState(actionData: unknown): FormState {
  const d = actionData as
    | { error?: { message?: string; fields?: Record<string, string> }; values?: Record<string, string> }
    | undefined;
  return {
    error: d?.error?.message ?? null,
    fields: d?.error?.fields ?? {},
    values: d?.values ?? {},
  };
}

/** A ref for a <Form>: the form is reset when a submission ends without an error. */
export function useResetAfterSuccess(actionData: unknown) {
  const ref = useRef<HTMLFormElement>(null);
  const state = useNavigation().state;
  const failed = Boolean((actionData as { error?: unknown } | undefined)?.error);
  useEffect(() => {
    if (state === "idle" && actionData && !failed) ref.current?.reset();
  }, [state, actionData, failed]);
  return ref;
}
