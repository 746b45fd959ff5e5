// Fault injection for workerd tests: wraps a real binding (D1, R2) or fetch so that chosen calls fail,
// while every other call goes through to the real thing; an env copy carries the wrapped bindings.
import { env } from "cloudflare:workers";

/** A plan: which calls fail (by what they touch) and how many times; `hits` counts the failures dealt. */
export type Fault = { match: RegExp; times: number; hits: number };

export const fault = (match: RegExp, times = 1): Fault => ({ match, times, hits: 0 });

function strike(f: Fault | undefined, subject: string): boolean {
  if (!f || f.hits >= f.times || !f.match.test(subject)) return false;
  f.hits += 1;
  return true;
}

/** A copy of the test env with some bindings replaced (getConfig and getDb key on the object). */
export function envWith(overrides: Partial<Env>): Env {
  return Object.assign(Object.create(null), env, overrides) as Env;
}

/**
 * D1 whose batch fails *inside* the transaction when one of its statements matches: the real batch runs
 * with a failing statement appended, so D1 itself executes the statements and rolls them all back.
 */
export function d1FailingBatch(db: D1Database, batchFault: Fault): D1Database {
  const sqlOf = new WeakMap<D1PreparedStatement, string>();
  const remember = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    sqlOf.set(statement, sql);
    const bind = statement.bind.bind(statement);
    statement.bind = (...values: unknown[]) => remember(bind(...values), sql);
    return statement;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => remember(target.prepare(sql), sql);
      if (prop === "batch")
        return (statements: D1PreparedStatement[]) => {
          const sql = statements.map((s) => sqlOf.get(s) ?? "").join(";\n");
          if (!strike(batchFault, sql)) return target.batch(statements);
          return target.batch([...statements, target.prepare("SELECT * FROM fault_injected_no_such_table")]);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** R2 whose put (and multipart upload) fails for keys that match. */
export function r2FailingPut(bucket: R2Bucket, putFault: Fault): R2Bucket {
  const failure = () => Promise.reject(new Error("R2 put failed (injected)"));
  return new Proxy(bucket, {
    get(target, prop) {
      if (prop === "put")
        return (key: string, ...rest: unknown[]) =>
          strike(putFault, key) ? failure() : (target.put as (...a: unknown[]) => unknown)(key, ...rest);
      if (prop === "createMultipartUpload")
        return (key: string, ...rest: unknown[]) =>
          strike(putFault, key)
            ? failure()
            : (target.createMultipartUpload as (...a: unknown[]) => unknown)(key, ...rest);
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
