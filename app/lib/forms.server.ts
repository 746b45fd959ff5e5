// Form handling for actions: zod-validated form data, and errors turned into messages for the page.
import { data } from "react-router";
import type { z } from "zod";
import { fromZodError, toAppError } from "../../worker/errors";

export type ActionError = { error: { message: string; param: string | null } };

export async function parseForm<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const form = Object.fromEntries(await request.formData());
  const parsed = schema.safeParse(form);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/** Runs an action body; an AppError becomes `{error}` with its status so the form can show it. */
export async function formAction<T>(run: () => Promise<T>) {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Response) throw error;
    const appError = toAppError(error);
    if (appError.status >= 500) throw error;
    return data<ActionError>(
      { error: { message: appError.message, param: appError.options.param ?? null } },
      { status: appError.status, headers: appError.options.headers },
    );
  }
}
