// The Worker's entry: HTTP through the Hono app, cron through the scheduled handler, and the Durable Objects.
import { app } from "./app";
import { scheduled } from "./scheduled";

export { AccountDO } from "./account-object/AccountDO";

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
