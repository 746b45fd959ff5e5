// Every route the README lists for privacy, receipts, promises, data-rights requests, the request log, the
// admin queue and the newer AI routes appears in the OpenAPI document the Worker serves, with its methods.
import { describe, expect, it } from "vitest";
import { call } from "../support/helpers";

/** The README's routes (Management API, AI API) (path parameters in OpenAPI's `{id}` form), and the admin detail routes behind /admin. */
const DOCUMENTED_ROUTES: [method: string, path: string][] = [
  // AI API
  ["post", "/v1/messages/count_tokens"],
  ["post", "/v1/responses"],
  ["post", "/v1/audio/transcriptions"],
  // The request log
  ["get", "/api/requests"],
  ["get", "/api/requests/{id}"],
  // Privacy settings and data-rights requests
  ["get", "/api/settings/privacy"],
  ["put", "/api/settings/privacy"],
  ["post", "/api/privacy/requests"],
  ["get", "/api/privacy/requests"],
  ["get", "/api/privacy/requests/{id}"],
  ["get", "/api/privacy/requests/{id}/export"],
  ["post", "/api/privacy/links"],
  ["get", "/api/privacy/restriction"],
  ["delete", "/api/privacy/restriction"],
  // Promises and receipts
  ["get", "/api/privacy/promises"],
  ["get", "/.well-known/privacy-receipt-keys.json"],
  ["post", "/api/privacy/receipts/verify"],
  // Admin
  ["get", "/api/admin/privacy/requests"],
  ["post", "/api/admin/privacy/requests"],
  ["get", "/api/admin/privacy/requests/{id}"],
  ["post", "/api/admin/privacy/requests/{id}/deny"],
  ["post", "/api/admin/privacy/requests/{id}/resend"],
  ["post", "/api/admin/privacy/requests/{id}/answer"],
];

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, unknown>; tags?: string[] }>>;
};

describe("the OpenAPI document", () => {
  it("documents every contract route with the contract's method, and its responses", async () => {
    const res = await call("/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toMatch(/^3\.1/);
    const missing = DOCUMENTED_ROUTES.filter(([method, path]) => !doc.paths[path]?.[method]).map(
      ([method, path]) => `${method.toUpperCase()} ${path}`,
    );
    expect(missing).toEqual([]);
    for (const [method, path] of DOCUMENTED_ROUTES) {
      const op = doc.paths[path]![method]!;
      expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
    }
  });
});
