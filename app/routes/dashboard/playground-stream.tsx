// POST /dashboard/playground/stream: the playground's streamed answer (SSE from the gateway), for the page's
// script; errors come back in the API's one error shape.
import { AppError, toAppError } from "#worker/errors";
import { readForm } from "../../lib/forms.server";
import { PlaygroundForm, playgroundCall } from "../../lib/playground.server";
import { getSession } from "../../lib/session.server";
import type { Route } from "./+types/playground-stream";

export async function action({ request, context }: Route.ActionArgs) {
  const { env, ctx } = context.cloudflare;
  try {
    const session = await getSession(request, env);
    if (!session) return Response.json({ error: { message: "Log in first." } }, { status: 401 });
    const parsed = PlaygroundForm.safeParse(Object.fromEntries(await readForm(request)));
    if (!parsed.success) {
      return Response.json(
        { error: { message: parsed.error.issues.map((i) => i.message).join(" ") } },
        { status: 400 },
      );
    }
    return await playgroundCall(env, ctx, session.accountId, parsed.data, true, context.requestId);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return toAppError(error).toResponse();
  }
}
