// A value that fits a JSON Schema, for the dev provider's structured answers and tool calls: every property (so a
// strict schema's `required` holds), the first enum or const value, the first branch of a union, $refs followed.
// Strings say where they came from.
type Schema = Record<string, unknown>;

const DEV_TEXT = "[dev provider] sample";

function resolve(ref: string, root: Schema): Schema {
  // Local references only (#/$defs/x, #/definitions/x): what zod and the SDKs' schema helpers produce.
  let node: unknown = root;
  for (const part of ref.replace(/^#\/?/, "").split("/").filter(Boolean))
    node = (node as Schema | undefined)?.[
      decodeURIComponent(part.replaceAll("~1", "/").replaceAll("~0", "~"))
    ];
  return (node as Schema | undefined) ?? {};
}

function sample(schema: Schema, root: Schema, depth: number): unknown {
  if (depth > 8) return null;
  if (typeof schema.$ref === "string") return sample(resolve(schema.$ref, root), root, depth + 1);
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const branches = schema[key] as Schema[] | undefined;
    if (Array.isArray(branches) && branches.length) {
      const branch = branches.find((b) => b.type !== "null") ?? branches[0]!;
      return sample(branch, root, depth + 1);
    }
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type];
  const type = types.find((t) => t !== "null") ?? types[0];
  if (type === "object" || (type === undefined && schema.properties)) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, sample(v, root, depth + 1)]));
  }
  if (type === "array") {
    const min = typeof schema.minItems === "number" ? schema.minItems : 1;
    const item = sample((schema.items as Schema | undefined) ?? {}, root, depth + 1);
    return Array.from({ length: Math.max(1, min) }, () => item);
  }
  if (type === "integer" || type === "number") {
    const min = typeof schema.minimum === "number" ? schema.minimum : undefined;
    const max = typeof schema.maximum === "number" ? schema.maximum : undefined;
    return Math.min(Math.max(42, min ?? 42), max ?? 42);
  }
  if (type === "boolean") return true;
  if (type === "null") return null;
  if (type === "string") return DEV_TEXT;
  return DEV_TEXT;
}

export function sampleJson(schema: Schema | undefined): unknown {
  return sample(schema ?? {}, schema ?? {}, 0);
}
