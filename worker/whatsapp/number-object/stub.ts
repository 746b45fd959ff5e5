// How the Worker reaches a business number's Durable Object (one per Meta phone number id): a typed stub, without
// importing the class into the caller's module graph. With DATA_RESIDENCY "eu" the object lives in the EU.
import { getConfig } from "../../config";
import type { WhatsAppNumberDO } from "./WhatsAppNumberDO";

/** The Durable Object that paces and schedules the answers of one business number. */
export function numberObject(env: Env, phoneNumberId: string): DurableObjectStub<WhatsAppNumberDO> {
  const namespace: DurableObjectNamespace<WhatsAppNumberDO> =
    getConfig(env).dataResidency === "eu" ? env.WHATSAPP_NUMBER.jurisdiction("eu") : env.WHATSAPP_NUMBER;
  return namespace.getByName(phoneNumberId);
}
