// Before any model call: does this message mean STOP, START or "a person, please", and is the contact opted
// out or waiting for a person? Flags are set here; the contact gets exactly one confirmation per change (the
// change is a conditional update, so a redelivered or retried STOP confirms nothing twice).
import type { whatsappConnections } from "../../db/schema";
import type { Db } from "../env";
import { type ContactKey, findContact, noteWhilePaused, optIn, optOut, pause } from "./contacts";
import { announceHandOff } from "./hand-off";
import { keywordOf, keywordsOf } from "./keywords";

export const HAND_OFF_REPLY = "Thanks — a person from our team will reply to you here soon.";
const optedInReply = "You are subscribed again and will get replies from us. How can we help?";
const optedOutReply = (start: string) =>
  `You will not get any more messages from us. Reply ${start} to subscribe again.`;

/**
 * `hold`: nothing is sent (opted out, a repeated STOP, or a person has the conversation); `reply`: this fixed
 * confirmation is sent instead of asking the model; `answer`: the model answers as usual.
 */
export type Gate =
  | { kind: "hold"; status: "opted_out" | "handed_off" }
  | { kind: "reply"; text: string }
  | { kind: "answer" };

export async function gateMessage(
  env: Env,
  db: Db,
  input: {
    connection: typeof whatsappConnections.$inferSelect;
    key: ContactKey;
    text: string | null;
    /** The contact's number (from the sealed pending row), kept sealed if a person may reply. */
    to: string;
    sentAt: number;
    now: number;
  },
): Promise<Gate> {
  const { connection, key, text, to, sentAt, now } = input;
  const keywords = keywordsOf(connection);
  const said = keywordOf(text, keywords);
  if (said === "stop") {
    return (await optOut(db, key, now))
      ? { kind: "reply", text: optedOutReply(keywords.start[0] ?? "START") }
      : { kind: "hold", status: "opted_out" };
  }
  if (said === "start" && (await optIn(db, key, now))) return { kind: "reply", text: optedInReply };
  const contact = await findContact(db, key);
  if (contact?.optedOutAt) return { kind: "hold", status: "opted_out" };
  if (contact?.pausedAt) {
    await noteWhilePaused(env, db, key, { recipient: to, sentAt, now });
    return { kind: "hold", status: "handed_off" };
  }
  if (said === "hand_off") {
    if (await pause(env, db, key, { by: "keyword", recipient: to, sentAt, now }))
      await announceHandOff(env, db, { connection, key, by: "keyword", now });
    return { kind: "reply", text: HAND_OFF_REPLY };
  }
  return { kind: "answer" };
}
