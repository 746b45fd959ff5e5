// Cron: each capability registers a job here; all run on every tick, each isolated from the others' failures.
import { rewrapDataKeys } from "./content/rewrap";
import { sweepExpiredContent } from "./content/sweep";
import { announceSubprocessorChanges } from "./legal/changes";
import { deliverDueNotices } from "./notices/outbox";
import { log } from "./observability/log";
import { runAlerts } from "./observability/metrics/alerts";
import { privacyJobs } from "./privacy/jobs/cron";
import { runPromiseChecks } from "./privacy/promises/report";
import { usageRetentionJob } from "./usage/retention";
import { whatsappJob } from "./whatsapp/jobs";

type Job = { name: string; run: (env: Env, now: Date) => Promise<void> };

const jobs: Job[] = [
  whatsappJob,
  { name: "retention-sweep", run: async (env, now) => void (await sweepExpiredContent(env, now)) },
  { name: "data-key-rewrap", run: async (env) => void (await rewrapDataKeys(env)) },
  ...privacyJobs,
  usageRetentionJob,
  { name: "promise-checks", run: async (env, now) => void (await runPromiseChecks(env, now)) },
  { name: "metrics-alerts", run: async (env, now) => void (await runAlerts(env, now)) },
  {
    name: "subprocessor-changes",
    run: async (env, now) => void (await announceSubprocessorChanges(env, now)),
  },
  { name: "notice-outbox", run: async (env, now) => void (await deliverDueNotices(env, now)) },
];

export async function scheduled(
  controller: ScheduledController,
  env: Env,
  _ctx: ExecutionContext,
): Promise<void> {
  const now = new Date(controller.scheduledTime);
  const results = await Promise.allSettled(jobs.map((job) => job.run(env, now)));
  results.forEach((result, i) => {
    if (result.status === "rejected")
      log.error("cron job failed", { job: jobs[i]?.name, error: result.reason });
  });
}
