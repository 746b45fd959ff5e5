// The field for choosing a password (sign-up, reset, change), with the length rule its forms also check.
import { PASSWORD_LENGTH } from "#worker/accounts/password-length";
import { Field } from "./Field";

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
      label={`${label} (at least ${PASSWORD_LENGTH.min} characters)`}
      name={name}
      type="password"
      autoComplete="new-password"
      required
      minLength={PASSWORD_LENGTH.min}
      maxLength={PASSWORD_LENGTH.max}
      error={error}
    />
  );
}
