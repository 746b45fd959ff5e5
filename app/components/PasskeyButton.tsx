// A passkey ceremony behind one button: adding a passkey, finishing a login, or re-authenticating. WebAuthn is a
// browser API, so this needs JavaScript; without it the button is disabled and says so (the app's codes still work).
import { useEffect, useState } from "react";

type Mode =
  | { kind: "register"; passwordInputId?: string; nameInputId?: string }
  | { kind: "login"; next: string }
  | { kind: "reauth" };

type Props = { mode: Mode; label: string; onDone?: (result: Record<string, unknown>) => void };

async function postJson(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
    credentials: "same-origin",
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const error = json.error as { message?: string } | undefined;
    throw new Error(error?.message ?? `Failed (${res.status}).`);
  }
  return json;
}

const inputValue = (id: string | undefined) =>
  id ? (document.getElementById(id) as HTMLInputElement | null)?.value || undefined : undefined;

export function PasskeyButton({ mode, label, onDone }: Props) {
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setReady(typeof window !== "undefined" && "PublicKeyCredential" in window), []);

  async function run() {
    setBusy(true);
    setError(null);
    try {
      const webauthn = await import("@simplewebauthn/browser");
      if (mode.kind === "register") {
        const password = inputValue(mode.passwordInputId);
        const optionsJSON = await postJson(
          "/api/auth/passkeys/registration/options",
          password ? { password } : {},
        );
        const response = await webauthn.startRegistration({ optionsJSON: optionsJSON as never });
        const name = inputValue(mode.nameInputId);
        onDone?.(
          await postJson("/api/auth/passkeys/registration/verify", { response, ...(name ? { name } : {}) }),
        );
        return;
      }
      const optionsJSON = await postJson("/api/auth/passkeys/authentication/options", {});
      const response = await webauthn.startAuthentication({ optionsJSON: optionsJSON as never });
      const result = await postJson("/api/auth/passkeys/authentication/verify", { response });
      if (mode.kind === "login") window.location.assign(mode.next);
      else onDone?.(result);
    } catch (e) {
      setError(e instanceof Error ? e.message : "The passkey did not work. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <button type="button" className="secondary" onClick={run} disabled={!ready || busy}>
        {busy ? "Waiting for your passkey…" : label}
      </button>
      {ready ? null : <p className="hint">Passkeys need JavaScript (and a browser that supports them).</p>}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
