// Fault injection for workerd tests: wraps a real binding (D1, R2, DO storage) so that chosen calls fail,
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
 * D1 that fails the statements whose SQL matches: a matching batch fails *inside* the transaction (the real
 * batch runs with a failing statement appended, so D1 itself executes the statements and rolls them all
 * back); a matching single statement (run/all/first/raw) fails before it runs.
 */
export function d1Failing(db: D1Database, sqlFault: Fault): D1Database {
  const sqlOf = new WeakMap<D1PreparedStatement, string>();
  const remember = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    sqlOf.set(statement, sql);
    const bind = statement.bind.bind(statement);
    statement.bind = (...values: unknown[]) => remember(bind(...values), sql);
    for (const method of ["run", "all", "first", "raw"] as const) {
      const real = (statement[method] as (...a: unknown[]) => Promise<unknown>).bind(statement);
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
        strike(sqlFault, sql) ? Promise.reject(new Error("D1_ERROR: injected failure")) : real(...args);
    }
    return statement;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => remember(target.prepare(sql), sql);
      if (prop === "batch")
        return (statements: D1PreparedStatement[]) => {
          const sql = statements.map((s) => sqlOf.get(s) ?? "").join(";\n");
          if (!strike(sqlFault, sql)) return target.batch(statements);
          return target.batch([...statements, target.prepare("SELECT * FROM fault_injected_no_such_table")]);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A Durable Object's state whose storage.put fails when `when(key, value)` says so — the object "restarts"
 * right after the work that put would have recorded. Everything else goes to the real storage.
 */
export function storageFailingPut(
  ctx: DurableObjectState,
  when: (key: string, value: unknown) => boolean,
  putFault: Fault,
): DurableObjectState {
  const storage = new Proxy(ctx.storage, {
    get(target, prop) {
      if (prop === "put")
        return (key: string, value: unknown, ...rest: unknown[]) =>
          typeof key === "string" && when(key, value) && strike(putFault, key)
            ? Promise.reject(new Error("Durable Object reset (injected)"))
            : (target.put as (...a: unknown[]) => Promise<void>)(key, value, ...rest);
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(ctx, {
    get(target, prop) {
      if (prop === "storage") return storage;
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
