// The 403 a request gets when its model's provider publishes a data policy the account or key does not allow
// (CONTRACT: data_policy_violation); rendered in each dialect's error shape by the one error handler.
import { AppError } from "../../errors";
import { providerLabel, providerPolicy } from "../catalogue";
import type { CatalogueModel } from "../catalogue/model";
import { type DataPolicyName, policyLabel } from "./rules";

export function dataPolicyViolation(model: CatalogueModel, policy: DataPolicyName): AppError {
  const p = providerPolicy(model.provider);
  const published = [
    p.trainsOnData ? "trains on API data" : "does not train on API data",
    p.zeroDataRetention || p.retentionDays === 0 ? "keeps nothing" : `keeps data ${p.retentionDays} days`,
    `processes in ${p.regions.join(", ")}`,
  ].join(", ");
  return new AppError(
    403,
    `The model '${model.id}' is not allowed by your data policy '${policy}' (${policyLabel(policy)}): ${providerLabel(model.provider)} ${published}. Nothing was sent to it. GET /v1/models lists the models your policy allows.`,
    { code: "data_policy_violation", param: "model" },
  );
}
