// The Stripe API client for workerd: fetch-based, pointed at STRIPE_API_BASE_URL (the local fake in tests
// and `npm start`), and refused when Stripe is not configured.
import Stripe from "stripe";
import type { Config } from "../config";
import { AppError } from "../errors";
import { checkUpstreamUrl } from "../security/upstream-url";

const clients = new WeakMap<Config, Stripe>();

export const billingUnavailable = () =>
  new AppError(503, "Billing is not configured on this server.", {
    code: "billing_unavailable",
    type: "api_error",
  });

/** One client per configuration (isolate). Plain http only for a loopback fake in local mode. */
export function stripeClient(config: Config): Stripe {
  const existing = clients.get(config);
  if (existing) return existing;
  const { secretKey, apiBaseUrl } = config.stripe;
  if (!secretKey) throw billingUnavailable();
  const url = checkUpstreamUrl(config.localMode, "STRIPE_API_BASE_URL", apiBaseUrl);
  const protocol = url.protocol === "http:" ? "http" : "https";
  const client = new Stripe(secretKey, {
    httpClient: Stripe.createFetchHttpClient(),
    host: url.hostname,
    port: url.port || (protocol === "https" ? 443 : 80),
    protocol,
    // Safe to retry: every request this service sends carries an idempotency key.
    maxNetworkRetries: 2,
    timeout: 10_000,
  });
  clients.set(config, client);
  return client;
}
