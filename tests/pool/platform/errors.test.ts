import { describe, expect, it } from "vitest";
import { call, expectError, newKeyUser } from "../support/helpers";

describe("the one error shape", () => {
  it.each(["/api/nope", "/v1/nope", "/webhooks/nope", "/api/keys/x/y"])(
    "unknown path %s is a JSON 404",
    async (path) => {
      const user = await newKeyUser();
      const res = await call(path, { cookie: user.cookie, key: user.key });
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      await expectError(res, 404);
    },
  );

  it("sets security headers on every response", async () => {
    const res = await call("/api/nope");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("referrer-policy")).toBeTruthy();
  });

  it("redirects plain http to https outside loopback and sends HSTS over https", async () => {
    const { exports } = await import("cloudflare:workers");
    const http = await exports.default.fetch(new Request("http://api.example.com/api/privacy/policy"), {
      redirect: "manual",
    } as RequestInit);
    expect(http.status).toBe(308);
    expect(http.headers.get("location")).toBe("https://api.example.com/api/privacy/policy");
    const https = await exports.default.fetch(new Request("https://api.example.com/api/privacy/policy"));
    expect(https.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
  });

  it("serves an OpenAPI 3.1 document of the routes", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    for (const p of [
      "/api/auth/signup",
      "/api/auth/login",
      "/api/auth/logout",
      "/api/account",
      "/api/keys",
      "/api/keys/{id}",
      "/v1/models",
    ]) {
      expect(doc.paths).toHaveProperty([p]);
    }
  });
});
