// The providers' documented shapes as validators: OpenAI's published OpenAPI document (vendored schemas,
// schemas/openai.json, source commit inside) and Anthropic's SDK types as JSON Schema (schemas/anthropic.json),
// compiled with ajv (draft 2020-12, as OpenAPI 3.1 uses). Unknown keywords (x-stainless-*, discriminator) ignored.
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import anthropic from "./schemas/anthropic.json";
import openai from "./schemas/openai.json";

/**
 * OpenAPI 3.0's `nullable: true` (still used in parts of OpenAI's 3.1 document, the chat chunk's among them) as
 * JSON Schema says it: null allowed — in the type, in an enum, or beside a $ref.
 */
function nullableAsAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsAnyOf);
  if (typeof node !== "object" || node === null) return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, nullableAsAnyOf(v)]));
  if (nullable !== true) return out;
  if (!("type" in out)) return { anyOf: [out, { type: "null" }] };
  const types = Array.isArray(out.type) ? out.type : [out.type];
  return {
    ...out,
    type: [...types, "null"],
    ...(Array.isArray(out.enum) ? { enum: [...out.enum, null] } : {}),
  };
}

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
ajv.addSchema({ $id: "openai", components: nullableAsAnyOf(openai.components) });
ajv.addSchema({ $id: "anthropic", components: anthropic.components });

const compiled = new Map<string, ValidateFunction>();

function validator(doc: "openai" | "anthropic", name: string): ValidateFunction {
  const ref = `${doc}#/components/schemas/${name}`;
  let v = compiled.get(ref);
  if (!v) {
    v = ajv.getSchema(ref);
    if (!v) throw new Error(`no schema ${ref}`);
    compiled.set(ref, v);
  }
  return v;
}

/** The problems of `value` under a documented schema ("" when it fits). */
export function problems(doc: "openai" | "anthropic", name: string, value: unknown): string {
  const v = validator(doc, name);
  if (v(value)) return "";
  return `${name}: ${ajv.errorsText(v.errors, { dataVar: "answer" })}`;
}

/** The schema each stream event type must fit. */
export function eventSchema(doc: "openai" | "anthropic", type: string): string {
  const events = (doc === "openai" ? openai.events : anthropic.events) as Record<string, string>;
  const name = events[type];
  if (!name) throw new Error(`undocumented ${doc} event type ${type}`);
  return name;
}
