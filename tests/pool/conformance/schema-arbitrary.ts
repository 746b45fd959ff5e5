// fast-check arbitraries from the JSON Schemas of our own OpenAPI document: values that fit a request schema
// (object properties, enums, bounds, unions, $refs into components) and, mixed in, values that do not.
import fc from "fast-check";

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema nodes are read field by field
type Schema = Record<string, any>;

export type Components = Record<string, Schema>;

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("", "dev/echo", "openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest", "x".repeat(300)),
);

function resolve(schema: Schema, components: Components): Schema {
  let node = schema;
  for (let i = 0; i < 8 && typeof node.$ref === "string"; i++) {
    node = components[node.$ref.split("/").at(-1)!] ?? {};
  }
  return node;
}

/** Values that fit `schema` (as far as a generator can: patterns and formats are approximated). */
function fitting(schema: Schema, components: Components, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, components);
  if (depth > 4) return fc.constant(null);
  if ("const" in s) return fc.constant(s.const);
  if (Array.isArray(s.enum) && s.enum.length) return fc.constantFrom(...s.enum);
  for (const key of ["anyOf", "oneOf"]) {
    if (Array.isArray(s[key]) && s[key].length)
      return fc.oneof(...s[key].map((b: Schema) => fitting(b, components, depth + 1)));
  }
  if (Array.isArray(s.allOf) && s.allOf.length) {
    const merged: Schema = { properties: {}, required: [] };
    for (const branch of s.allOf as Schema[]) {
      const r = resolve(branch, components);
      Object.assign(merged, { ...r, properties: merged.properties, required: merged.required });
      Object.assign(merged.properties, r.properties);
      merged.required.push(...(r.required ?? []));
    }
    return fitting(merged, components, depth + 1);
  }
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => fitting({ ...s, type }, components, depth)));
  const type = types[0] ?? (s.properties ? "object" : undefined);
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000 });
    case "number":
      return fc.double({
        min: s.minimum ?? -1000,
        max: s.maximum ?? 100_000,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "string":
      if (s.format === "date-time") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === "email") return fc.emailAddress();
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 400) });
    case "array":
      return fc.array(fitting(s.items ?? {}, components, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, 3),
      });
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set<string>(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(properties)) record[k] = fitting(v, components, depth + 1);
      return fc.record(record, { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) });
    }
    default:
      return fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null));
  }
}

/** Inputs for an operation's body: mostly fitting ones, some anything-goes JSON, some fitting with one field broken. */
export function bodies(schema: Schema | undefined, components: Components): fc.Arbitrary<unknown> {
  if (!schema) return fc.constant(undefined);
  const fit = fitting(schema, components);
  const broken = fc
    .tuple(fit, fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }))
    .map(([value, key, junk]) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return junk;
      const keys = Object.keys(value);
      const target = keys.length ? keys[key.length % keys.length]! : key;
      return { ...value, [target]: junk };
    });
  return fc.oneof(
    { arbitrary: fit, weight: 3 },
    { arbitrary: broken, weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
  );
}

/** A path or query parameter's value. */
export function parameter(schema: Schema | undefined, components: Components): fc.Arbitrary<string> {
  return fc.oneof(
    fitting(schema ?? { type: "string" }, components).map((v) =>
      typeof v === "string" ? v : JSON.stringify(v),
    ),
    fc.string({ maxLength: 20 }),
  );
}
