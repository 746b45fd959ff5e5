// A labelled input with its requirements and its error message beside it, wired for screen readers.
import type { InputHTMLAttributes, ReactNode } from "react";

type Props = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  error?: string | null;
  /** The field's requirements, shown before anything is typed ("1–100 characters"). */
  hint?: ReactNode;
};

export function Field({ label, name, error, hint, ...input }: Props) {
  const errorId = `${input.id ?? name}-error`;
  const hintId = `${input.id ?? name}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <label>
      {label}
      <input
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint ? (
        <span id={hintId} className="hint">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={errorId} className="field-error">
          {error}
        </span>
      ) : null}
    </label>
  );
}

export function FormError({ message }: { message?: string | null }) {
  return message ? (
    <div className="alert error" role="alert">
      {message}
    </div>
  ) : null;
}
