// The error a request gets when the provider refuses the customer's own key (CONTRACT: 424 byok_key_rejected),
// in each dialect's shape by the one error handler. The platform's key is never tried instead unless the
// customer allowed it.
import { AppError } from "../errors";

/** Provider statuses that mean "this key is not accepted" (not the request's fault, not a passing failure). */
export const isKeyRejection = (status: number | undefined) => status === 401 || status === 403;

export const byokKeyRejected = (provider: string, upstreamStatus: number) =>
  new AppError(
    424,
    `${provider} refused your own ${provider} key (it answered ${upstreamStatus}). Check or replace it under /api/provider-keys/${provider}; the platform's key was not used instead (allowPlatformFallback is off).`,
    {
      code: "byok_key_rejected",
      type: "invalid_request_error",
      headers: { "x-upstream-status": String(upstreamStatus) },
    },
  );
