// Every client dialect to a Gemini provider through one translation (Chat Completions ↔ generateContent): the
// Messages API through chat first, the Responses API through Messages and chat.
import { compose } from "../compose";
import { messagesToChat } from "../messages-to-chat";
import { responsesToMessages } from "../responses-to-messages";
import type { Translation } from "../types";
import { chatToGemini } from "./chat-to-gemini";

/** The inner translation of a composition always tells the outer one the usage (it reads it from the stream). */
const reportingUsage = (t: Translation): Translation => ({
  ...t,
  stream: (ctx) => t.stream({ ...ctx, includeUsage: true }),
});

export { chatToGemini };
export const messagesToGemini = compose(messagesToChat, reportingUsage(chatToGemini));
export const responsesToGemini = compose(responsesToMessages, messagesToGemini);
