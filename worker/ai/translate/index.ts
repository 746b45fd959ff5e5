// Which translation connects a client's dialect to a provider's: four directions for chat, one for embeddings.
import { badRequest } from "../../errors";
import type { Dialect, Operation } from "../providers/types";
import { chatToChat } from "./chat-to-chat";
import { chatToMessages } from "./chat-to-messages";
import { embeddingsToEmbeddings } from "./embeddings";
import { messagesToChat } from "./messages-to-chat";
import { messagesToMessages } from "./messages-to-messages";
import type { Translation } from "./types";

const chat: Record<Dialect, Record<Dialect, Translation>> = {
  openai: { openai: chatToChat, anthropic: chatToMessages },
  anthropic: { openai: messagesToChat, anthropic: messagesToMessages },
};

export function translationFor(client: Dialect, provider: Dialect, operation: Operation): Translation {
  if (operation === "chat") return chat[client][provider];
  if (provider !== "openai") throw badRequest("This model's provider has no embeddings API.", "model");
  return embeddingsToEmbeddings;
}
