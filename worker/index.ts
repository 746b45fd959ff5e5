// The Worker's entry: HTTP through the Hono app, cron through the scheduled handler, usage replays through the
// queue handler, and the Durable Objects.
import { app } from "./app";
import { scheduled } from "./scheduled";
import { consumeQueue, type HandedOff } from "./usage/replay";

export { AccountDO } from "./account-object/AccountDO";

export default {
  fetch: app.fetch,
  scheduled,
  queue: consumeQueue,
} satisfies ExportedHandler<Env, HandedOff>;
