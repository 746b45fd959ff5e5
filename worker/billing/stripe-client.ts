// The Stripe API client for workerd: fetch-based, pointed at STRIPE_API_BASE_URL (the local fake in tests
// and `npm start`), and refused when Stripe is not configured.
import Stripe from "stripe";
import type { Config } from "../config";
import { AppError } from "../errors";

const clients = new WeakMap<Config, Stripe>();

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export const billingUnavailable = () =>
  new AppError(503, "Billing is not configured on this server.", {
    code: "billing_unavailable",
    type: "api_error",
  });

/** One client per configuration (isolate). Plain http is only accepted for a loopback fake. */
export function stripeClient(config: Config): Stripe {
  const existing = clients.get(config);
  if (existing) return existing;
  const { secretKey, apiBaseUrl } = config.stripe;
  if (!secretKey) throw billingUnavailable();
  const url = new URL(apiBaseUrl);
  const protocol = url.protocol === "http:" && LOOPBACK.has(url.hostname) ? "http" : "https";
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
