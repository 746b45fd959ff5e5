// Every client dialect to a Bedrock provider through one translation (Chat Completions ↔ Converse): the Messages
// API through chat first, the Responses API through Messages and chat — as for Gemini.
import { compose } from "../compose";
import { messagesToChat } from "../messages-to-chat";
import { responsesToMessages } from "../responses-to-messages";
import type { Translation } from "../types";
import { chatToConverse } from "./chat-to-converse";

/** The inner translation of a composition always tells the outer one the usage (it reads it from the stream). */
const reportingUsage = (t: Translation): Translation => ({
  ...t,
  stream: (ctx) => t.stream({ ...ctx, includeUsage: true }),
});

export { chatToConverse };
export const messagesToConverse = compose(messagesToChat, reportingUsage(chatToConverse));
export const responsesToConverse = compose(responsesToMessages, messagesToConverse);
