// What a disconnected number's templates and notices leave behind: nothing (ADR 065).
import { and, eq } from "drizzle-orm";
import { whatsappNumberEvents, whatsappTemplates } from "../../db/schema";
import type { Db } from "../env";

export const forgetNumberTemplates = (db: Db, accountId: string, phoneNumberId: string) =>
  [
    db
      .delete(whatsappTemplates)
      .where(
        and(eq(whatsappTemplates.accountId, accountId), eq(whatsappTemplates.phoneNumberId, phoneNumberId)),
      ),
    db
      .delete(whatsappNumberEvents)
      .where(
        and(
          eq(whatsappNumberEvents.accountId, accountId),
          eq(whatsappNumberEvents.phoneNumberId, phoneNumberId),
        ),
      ),
  ] as const;
