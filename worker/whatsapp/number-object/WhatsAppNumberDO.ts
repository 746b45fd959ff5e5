// One Durable Object per WhatsApp business number (named by Meta's phone number id): the single place its
// answers are scheduled and its sends paced to Meta's limits, so two isolates, the webhook and the cron never
// send for the same number side by side. Its one alarm wakes it when the next contact is due
// (docs/decisions/064-whatsapp-pacing-and-bursts.md).
import { DurableObject } from "cloudflare:workers";
import { AnswerSchedule, type Queued } from "./schedule";

export class WhatsAppNumberDO extends DurableObject<Env> {
  /** Replaced by a test to act as a restarted object (fresh memory over the same storage). */
  schedule = new AnswerSchedule(this.ctx, this.env);

  /** Takes messages to answer (idempotent by message id) and sets the alarm for the first due. */
  async enqueue(items: Queued[], now: number): Promise<void> {
    await this.schedule.enqueue(items, now);
  }

  /** Answers what is due at `now` (the alarm's clock; the cron's tick passes its own). */
  async run(now: number): Promise<void> {
    await this.schedule.run(now);
  }

  override async alarm(): Promise<void> {
    await this.schedule.run(Date.now());
  }
}
