// An id to a model, or the 404 a client gets: not found (with the ids it resembles) or retired (with its successor).
import type { Config } from "../../config";
import { AppError } from "../../errors";
import { lookupModel } from ".";
import type { CatalogueModel } from "./model";

const modelNotFound = (id: string, suggestions: string[] = []) =>
  new AppError(
    404,
    `The model '${id}' does not exist or is not available here.${
      suggestions.length ? ` Did you mean ${suggestions.map((s) => `'${s}'`).join(" or ")}?` : ""
    } See GET /v1/models.`,
    { code: "model_not_found", param: "model" },
  );

const modelDeprecated = (id: string, retired: { since: string; use: string }) =>
  new AppError(404, `The model '${id}' was retired on ${retired.since}; use '${retired.use}' instead.`, {
    code: "model_deprecated",
    param: "model",
  });

/** The catalogue model an id names (its id, an alias, or an unambiguous bare name), or the 404 to answer. */
export function requireModel(config: Config, id: string): CatalogueModel {
  const result = lookupModel(config, id);
  if ("found" in result) return result.found;
  if ("deprecated" in result) throw modelDeprecated(id, result.deprecated);
  throw modelNotFound(id, result.suggestions);
}
