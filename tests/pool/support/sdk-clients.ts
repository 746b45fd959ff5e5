// Test helpers: the providers' own SDKs (OpenAI, Anthropic) pointed at the Worker's fetch handler, no retries.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { v1, workerFetch } from "./ai-helpers";
import { ORIGIN } from "./helpers";

export const openai = (key: string) =>
  new OpenAI({ apiKey: key, baseURL: v1, fetch: workerFetch, maxRetries: 0 });

export const anthropic = (key: string) =>
  new Anthropic({ apiKey: key, baseURL: ORIGIN, fetch: workerFetch, maxRetries: 0 });
