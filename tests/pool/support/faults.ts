// Fault injection for workerd tests: wraps a real binding (D1, R2, DO storage) so that chosen calls fail,
// while every other call goes through to the real thing; an env copy carries the wrapped bindings.
import { env } from "cloudflare:workers";

/**
 * A plan: which calls fail (by what they touch), after how many matching calls went through, and how many
 * times; `hits` counts the failures dealt.
 */
export type Fault = { match: RegExp; times: number; after: number; seen: number; hits: number };

export const fault = (match: RegExp, times = 1, after = 0): Fault => ({
  match,
  times,
  after,
  seen: 0,
  hits: 0,
});

function strike(f: Fault | undefined, subject: string): boolean {
  if (!f || f.hits >= f.times || !f.match.test(subject)) return false;
  f.seen += 1;
  if (f.seen <= f.after) return false;
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

/** The R2 operations a fault can hit; the subject matched is the key (or the keys, joined by spaces). */
type R2Op = "put" | "delete" | "list" | "get";

/** R2 whose chosen operation fails for the keys (or list prefix) that match; put covers multipart too. */
export function r2Failing(bucket: R2Bucket, op: R2Op, r2Fault: Fault): R2Bucket {
  const failure = () => Promise.reject(new Error(`R2 ${op} failed (injected)`));
  const subjectOf = (prop: string, first: unknown): string => {
    if (prop === "list") return String((first as R2ListOptions | undefined)?.prefix ?? "");
    return Array.isArray(first) ? first.join(" ") : String(first);
  };
  return new Proxy(bucket, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const hit = prop === op || (op === "put" && prop === "createMultipartUpload");
      if (!hit) return value.bind(target);
      return (first: unknown, ...rest: unknown[]) =>
        strike(r2Fault, subjectOf(prop as string, first)) ? failure() : value.call(target, first, ...rest);
    },
  });
}

/** R2 whose put (and multipart upload) fails for keys that match. */
export const r2FailingPut = (bucket: R2Bucket, putFault: Fault) => r2Failing(bucket, "put", putFault);

/**
 * A Durable Object namespace whose stubs answer through `stubGet` (given the object's name, the stub and the
 * property asked for); everything else is the real namespace.
 */
function namespaceWith<T extends Rpc.DurableObjectBranded | undefined>(
  ns: DurableObjectNamespace<T>,
  stubGet: (name: string, stub: DurableObjectStub<T>, prop: string | symbol) => unknown,
): DurableObjectNamespace<T> {
  return new Proxy(ns, {
    get(target, prop) {
      if (prop !== "getByName") {
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (name: string, ...rest: unknown[]) => {
        const stub = (target.getByName as (...a: unknown[]) => DurableObjectStub<T>)(name, ...rest);
        return new Proxy(stub, { get: (s, p) => stubGet(name, s, p) });
      };
    },
  });
}

/**
 * A Durable Object namespace whose stubs fail the chosen RPC method for the object names that match (the
 * object restarting or unreachable when called); everything else reaches the real object.
 */
export function namespaceFailing<T extends Rpc.DurableObjectBranded | undefined>(
  ns: DurableObjectNamespace<T>,
  method: string,
  callFault: Fault,
): DurableObjectNamespace<T> {
  return namespaceWith(ns, (name, s, p) =>
    p === method && strike(callFault, name)
      ? () => Promise.reject(new Error("Durable Object reset (injected)"))
      : Reflect.get(s, p),
  );
}

/**
 * A Durable Object namespace whose every RPC call first waits `pause()` milliseconds (an object that is slow to
 * answer: busy, restarting, far away); then the real object answers.
 */
export function namespaceSlowed<T extends Rpc.DurableObjectBranded | undefined>(
  ns: DurableObjectNamespace<T>,
  pause: () => number,
): DurableObjectNamespace<T> {
  return namespaceWith(ns, (_name, s, p) => {
    const method = Reflect.get(s, p);
    if (typeof method !== "function" || typeof p !== "string") return method;
    return async (...args: unknown[]) => {
      await new Promise((resolve) => setTimeout(resolve, pause()));
      return (Reflect.get(s, p) as (...a: unknown[]) => unknown)(...args);
    };
  });
}

/** A Durable Object namespace whose `method` fails for the object names `isDown(name)` says are down right now. */
export function namespaceDown<T extends Rpc.DurableObjectBranded | undefined>(
  ns: DurableObjectNamespace<T>,
  method: string,
  isDown: (name: string) => boolean,
): DurableObjectNamespace<T> {
  return namespaceWith(ns, (name, s, p) =>
    p === method && isDown(name)
      ? () => Promise.reject(new Error("Durable Object unavailable (injected)"))
      : Reflect.get(s, p),
  );
}
