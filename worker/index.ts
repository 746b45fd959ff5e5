// The Worker's entry: HTTP through the Hono apps (/v1 through the AI API's own, before the dashboard's chain; the
// rest through the full app), cron through the scheduled handler, usage replays through the queue handler, and the
// Durable Objects.
import { aiApp, isAiUrl } from "./ai/app";
import { app } from "./app";
import { scheduled } from "./scheduled";
import { consumeQueue, type HandedOff } from "./usage/replay";

export { AccountDO } from "./account-object/AccountDO";
export { WhatsAppNumberDO } from "./whatsapp/number-object/WhatsAppNumberDO";

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) =>
    isAiUrl(request.url) ? aiApp.fetch(request, env, ctx) : app.fetch(request, env, ctx),
  scheduled,
  queue: consumeQueue,
} satisfies ExportedHandler<Env, HandedOff>;
