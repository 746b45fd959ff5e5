// The field for choosing a password (sign-up, reset, change), with the length rule its forms also check.
import { Field } from "./Field";

/** The length a new password must have; the forms' schemas check the same numbers. */
export const NEW_PASSWORD = { min: 10, max: 256 } as const;

export function NewPasswordField({
  label = "New password",
  name = "newPassword",
  error,
}: {
  label?: string;
  name?: string;
  error?: string | null;
}) {
  return (
    <Field
      label={`${label} (at least ${NEW_PASSWORD.min} characters)`}
      name={name}
      type="password"
      autoComplete="new-password"
      required
      minLength={NEW_PASSWORD.min}
      maxLength={NEW_PASSWORD.max}
      error={error}
    />
  );
}
