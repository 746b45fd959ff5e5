// A plain predicate compiled once from a zod schema: true only for a value the schema accepts as it is (zod's
// output would equal it). It decides the common case of a request body in one walk with no allocation; when it
// says no, zod itself parses the value (json-body.ts), so every refusal is zod's, word for word, and the schema
// stays the one source of both the check and the OpenAPI document.
//
// Why: in workerd zod runs without its compiled fast path (no `new Function` there) and hono's validator parses
// asynchronously, so each field of each message is a promise-aware generic step — ≈ 1 ms of CPU on a 200-message
// conversation where this walk takes a few µs (bench/validation-cpu.ts, ADR 026).
//
// Conservative by construction: a schema part it does not know (a default, a transform, a lazy or piped schema, an
// absent key whose schema is not plain optional, an undeclared `__proto__`) compiles to "no", which only sends the
// value to zod. tests/node/validation-fits.test.ts checks that it agrees with zod on generated bodies.
import type { z } from "zod";

/** Whether a value fits a schema unchanged. */
export type Fits = (value: unknown) => boolean;

type Core = z.core.$ZodType;
type AnyDef = { type: string; checks?: Check[] } & Record<string, unknown>;
type CheckDef = {
  check: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
};
type Check = { _zod: { def: CheckDef; check: (payload: { value: unknown; issues: unknown[] }) => unknown } };

const no: Fits = () => false;
const yes: Fits = () => true;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const compiled = new WeakMap<Core, Fits>();

/** The predicate for `schema`, compiled once per schema instance. */
export function compileFits(schema: Core): Fits {
  let fits = compiled.get(schema);
  if (!fits) {
    fits = compile(schema);
    compiled.set(schema, fits);
  }
  return fits;
}

function compile(schema: Core): Fits {
  const def = schema._zod.def as unknown as AnyDef;
  const base = baseFits(schema, def);
  const checks = (def.checks ?? []).map(checkFits);
  if (!checks.length || base === no) return base;
  return (v) => {
    if (!base(v)) return false;
    for (const check of checks) if (!check(v)) return false;
    return true;
  };
}

function baseFits(schema: Core, def: AnyDef): Fits {
  switch (def.type) {
    case "string":
      return (v) => typeof v === "string";
    case "number":
      return (v) => typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return (v) => typeof v === "boolean";
    case "null":
      return (v) => v === null;
    case "unknown":
    case "any":
      return yes;
    case "enum":
    case "literal": {
      const values = schema._zod.values;
      return values ? (v) => values.has(v as never) : no;
    }
    case "optional": {
      const inner = compileFits(def.innerType as Core);
      return (v) => v === undefined || inner(v);
    }
    case "nullable": {
      const inner = compileFits(def.innerType as Core);
      return (v) => v === null || inner(v);
    }
    case "array": {
      const element = compileFits(def.element as Core);
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (const item of v) if (!element(item)) return false;
        return true;
      };
    }
    case "union": {
      const options = (def.options as Core[]).map(compileFits);
      return (v) => {
        for (const option of options) if (option(v)) return true;
        return false;
      };
    }
    case "record":
      return recordFits(def);
    case "object":
      return objectFits(def);
    default:
      // Defaults, transforms, pipes, lazy schemas and the rest: zod decides.
      return no;
  }
}

/** A record with plain string keys; zod leaves `__proto__` out of its output, so such a value goes to zod. */
function recordFits(def: AnyDef): Fits {
  const keyType = def.keyType as Core;
  const keyDef = keyType._zod.def as unknown as AnyDef;
  if (keyDef.type !== "string" || keyDef.checks?.length) return no;
  const value = compileFits(def.valueType as Core);
  return (v) => {
    if (!isObject(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
    for (const key in v) {
      if (key === "__proto__" || !value(v[key])) return false;
    }
    return true;
  };
}

/** An object: each declared key present and fitting, or absent and plainly optional; undeclared keys by catchall. */
function objectFits(def: AnyDef): Fits {
  const shape = def.shape as Record<string, Core>;
  const keys = Object.keys(shape);
  if (keys.includes("__proto__") || Object.getOwnPropertySymbols(shape).length) return no;
  const fields = keys.map((key) => {
    const field = shape[key]!;
    const optional = field._zod.optin === "optional" && field._zod.optout === "optional";
    return { key, fits: compileFits(field), optional };
  });
  const known = new Set(keys);
  const catchall = def.catchall as Core | undefined;
  const catchallType = (catchall?._zod.def as AnyDef | undefined)?.type;
  // No catchall: zod strips undeclared keys (the output differs); never: it refuses them.
  const extra: Fits | undefined =
    catchall === undefined || catchallType === "never"
      ? undefined
      : catchallType === "unknown" || catchallType === "any"
        ? yes
        : compileFits(catchall);
  return (v) => {
    if (!isObject(v)) return false;
    for (const field of fields) {
      const value = v[field.key];
      // Absent (or undefined, which JSON never gives): fine for a plainly optional field, zod's call otherwise.
      if (value === undefined) {
        if (!field.optional) return false;
      } else if (!field.fits(value)) return false;
    }
    for (const key in v) {
      if (known.has(key)) continue;
      if (extra === undefined || key === "__proto__") return false;
      if (extra !== yes && !extra(v[key])) return false;
    }
    return true;
  };
}

/** A check (a length, a bound, an integer, a refinement): the usual ones inline, any other by zod's own check. */
function checkFits(check: Check): Fits {
  const def = check._zod.def;
  switch (def.check) {
    case "min_length":
      return (v) => (v as { length: number }).length >= def.minimum!;
    case "max_length":
      return (v) => (v as { length: number }).length <= def.maximum!;
    case "greater_than":
      return def.inclusive ? (v) => (v as number) >= def.value! : (v) => (v as number) > def.value!;
    case "less_than":
      return def.inclusive ? (v) => (v as number) <= def.value! : (v) => (v as number) < def.value!;
    case "number_format":
      if (def.format === "safeint") return (v) => Number.isSafeInteger(v);
      break;
  }
  // Refinements and the rest: zod's own check on the value; any issue (or an async check) is a "no".
  if (typeof check._zod.check !== "function") return no;
  return (v) => {
    const payload = { value: v, issues: [] as unknown[] };
    const result = check._zod.check(payload);
    return !(result instanceof Promise) && payload.issues.length === 0;
  };
}
