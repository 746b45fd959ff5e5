// A labelled input with its error message, wired for screen readers.
import type { InputHTMLAttributes } from "react";

type Props = InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; error?: string | null };

export function Field({ label, name, error, ...input }: Props) {
  const errorId = `${name}-error`;
  return (
    <label>
      {label}
      <input
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        {...input}
      />
      {error ? (
        <span id={errorId} className="muted" role="alert">
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
