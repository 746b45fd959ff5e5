// A labelled input, text area or list with its requirements and its error message beside it, wired for screen readers.
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

type Labelled = {
  label: string;
  name: string;
  error?: string | null;
  /** The field's requirements, shown before anything is typed ("1–100 characters"). */
  hint?: ReactNode;
};

/** What the control itself carries: its name and the ARIA wiring to the hint and the error. */
type Wiring = { name: string; "aria-invalid"?: true; "aria-describedby"?: string };

/** The label around a control, then the hint and the error, each with the id the control points to. The
 *  control gets every attribute passed but the label's own (its own win over the wiring, as on an input). */
function Frame<Attrs extends { id?: string }>({
  props,
  control,
}: {
  props: Labelled & Attrs;
  control: (attrs: Wiring & Attrs) => ReactNode;
}) {
  const { label, name, error, hint, ...rest } = props;
  const own = rest as unknown as Attrs;
  const errorId = `${own.id ?? name}-error`;
  const hintId = `${own.id ?? name}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the one `control` draws, inside this label
    <label>
      {label}
      {control({
        name,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy || undefined,
        ...own,
      })}
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

export const Field = (props: Labelled & InputHTMLAttributes<HTMLInputElement>) => (
  <Frame props={props} control={(attrs) => <input {...attrs} />} />
);

export const TextAreaField = (props: Labelled & TextareaHTMLAttributes<HTMLTextAreaElement>) => (
  <Frame props={props} control={(attrs) => <textarea {...attrs} />} />
);

/** A list to choose from; its options are the children. */
export const SelectField = (props: Labelled & SelectHTMLAttributes<HTMLSelectElement>) => (
  <Frame props={props} control={(attrs) => <select {...attrs} />} />
);

export function FormError({ message }: { message?: string | null }) {
  return message ? (
    <div className="alert error" role="alert">
      {message}
    </div>
  ) : null;
}
