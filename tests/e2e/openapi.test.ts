// The served build's /api/openapi.json is a valid OpenAPI 3.1 document (@apidevtools/swagger-parser, which needs
// Node: the fuzz that checks every answer against it runs in workerd, tests/pool/conformance/fuzz.test.ts).
import SwaggerParser from "@apidevtools/swagger-parser";
import { expect, inject, it } from "vitest";

it("validates, every $ref resolving", async () => {
  const document = await (await fetch(`${inject("baseUrl")}/api/openapi.json`)).json();
  const api = (await SwaggerParser.validate(document as never)) as {
    openapi?: string;
    paths?: Record<string, unknown>;
  };
  expect(api.openapi).toBe("3.1.0");
  expect(Object.keys(api.paths ?? {}).length).toBeGreaterThan(30);
});
