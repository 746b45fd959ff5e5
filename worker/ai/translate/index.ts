// Which translation connects a client's dialect to a provider's: four directions for chat, one per wire for embeddings,
// and the Responses API passed through, translated to Messages, or through Messages to chat.
import { badRequest } from "../../errors";
import type { Dialect, Operation, Provider, WireFormat } from "../providers/types";
import { chatToConverse, messagesToConverse, responsesToConverse } from "./bedrock";
import { titanEmbeddings } from "./bedrock/embeddings";
import { chatToChat } from "./chat-to-chat";
import { chatToMessages } from "./chat-to-messages";
import { compose } from "./compose";
import { embeddingsToEmbeddings } from "./embeddings";
import { chatToGemini, messagesToGemini, responsesToGemini } from "./gemini";
import { geminiEmbeddings } from "./gemini/embeddings";
import { messagesToChat } from "./messages-to-chat";
import { messagesToMessages } from "./messages-to-messages";
import { responsesToMessages } from "./responses-to-messages";
import { responsesToResponses } from "./responses-to-responses";
import type { Translation } from "./types";

const chat: Record<Dialect, Record<WireFormat, Translation>> = {
  openai: { openai: chatToChat, anthropic: chatToMessages, gemini: chatToGemini, bedrock: chatToConverse },
  anthropic: {
    openai: messagesToChat,
    anthropic: messagesToMessages,
    gemini: messagesToGemini,
    bedrock: messagesToConverse,
  },
};

const responsesThroughChat = compose(responsesToMessages, messagesToChat);

export function translationFor(client: Dialect, provider: Provider, operation: Operation): Translation {
  if (operation === "chat") return chat[client][provider.dialect];
  if (operation === "responses") {
    if (provider.paths.responses) return responsesToResponses;
    if (provider.dialect === "gemini") return responsesToGemini;
    if (provider.dialect === "bedrock") return responsesToConverse;
    return provider.dialect === "anthropic" ? responsesToMessages : responsesThroughChat;
  }
  if (provider.dialect === "gemini") return geminiEmbeddings;
  if (provider.dialect === "bedrock") return titanEmbeddings;
  if (provider.dialect !== "openai")
    throw badRequest("This model's provider has no embeddings API.", "model");
  return embeddingsToEmbeddings;
}
