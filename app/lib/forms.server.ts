// Form handling for actions: zod-validated form data, every field's problem at once in plain words,
// and the typed values handed back so a page without JavaScript can show them again.
import { data } from "react-router";
import type { z } from "zod";
import { AppError, toAppError } from "#worker/errors";

export type ActionError = {
  error: { message: string; param: string | null; fields: Record<string, string> };
  /** What was typed (never passwords, tokens or secrets), to fill the form again. */
  values: Record<string, string>;
};

/** Fields whose values are never sent back to the page. */
const SECRET = /password|token|secret|key$|code$/i;

/** A failed form: one plain message per field. */
class FormInvalid extends AppError {
  constructor(
    readonly fields: Record<string, string>,
    readonly values: Record<string, string>,
  ) {
    super(400, Object.values(fields).join(" "), { param: Object.keys(fields)[0], code: "invalid_request" });
  }
}

const submitted = new WeakMap<Request, Record<string, string>>();

function plain(issue: z.core.$ZodRawIssue): string {
  const empty = issue.input === undefined || issue.input === "";
  switch (issue.code) {
    case "invalid_type":
      return empty ? "This field is required." : "Enter a valid value.";
    case "too_small":
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1
          ? "This field is required."
          : `Use at least ${issue.minimum} characters.`;
      return `Enter ${issue.minimum} or more.`;
    case "too_big":
      return issue.origin === "string"
        ? `Use at most ${issue.maximum} characters.`
        : `Enter ${issue.maximum} or less.`;
    case "invalid_format":
      return issue.format === "email"
        ? "Enter an email address like name@example.com."
        : "Enter a valid value.";
    case "not_multiple_of":
      return `Use a multiple of ${issue.divisor}.`;
    case "invalid_value":
      return "Choose one of the options.";
    case "invalid_union":
      return "This form is out of date. Reload the page and try again.";
    default:
      return "Check this value.";
  }
}

function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of form) {
    if (typeof value === "string" && !SECRET.test(name)) values[name] = value;
  }
  return values;
}

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * The request's form: 415 when the body is not a form (JSON, text, none at all), 400 when it claims to be one
 * and cannot be read (a broken multipart body). Never a 5xx for what a client sent.
 */
export async function readForm(request: Pick<Request, "headers" | "formData">): Promise<FormData> {
  if (!FORM_TYPES.test(request.headers.get("content-type") ?? ""))
    throw new AppError(415, "Send the form as application/x-www-form-urlencoded or multipart/form-data.", {
      code: "unsupported_media_type",
    });
  try {
    return await request.formData();
  } catch {
    throw new AppError(400, "The form could not be read. Reload the page and try again.", {
      code: "invalid_request",
    });
  }
}

export async function parseForm<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const form = await readForm(request);
  const values = formValues(form);
  submitted.set(request, values);
  const parsed = schema.safeParse(Object.fromEntries(form), { error: plain });
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const name = issue.path.length ? issue.path.join(".") : "form";
      fields[name] ??= issue.message;
    }
    throw new FormInvalid(fields, values);
  }
  return parsed.data;
}

/**
 * Runs an action body; an AppError becomes `{error, values}` with its status so the form can show every
 * problem beside its field and keep what was typed. Pass the request to keep values after a service error too.
 */
export async function formAction<T>(run: () => Promise<T>, request?: Request) {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Response) throw error;
    const appError = toAppError(error);
    if (appError.status >= 500) throw error;
    const param = appError.options.param ?? null;
    const fields =
      appError instanceof FormInvalid ? appError.fields : param ? { [param]: appError.message } : {};
    const values =
      appError instanceof FormInvalid ? appError.values : ((request && submitted.get(request)) ?? {});
    return data<ActionError>(
      { error: { message: appError.message, param, fields }, values },
      { status: appError.status, headers: appError.options.headers },
    );
  }
}
