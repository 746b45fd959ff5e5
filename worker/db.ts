// The typed drizzle client over the D1 binding.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../db/schema";
import type { Db } from "./env";

const clients = new WeakMap<D1Database, Db>();

/** One drizzle client per D1 binding object, reused across requests in the isolate. */
export function getDb(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    clients.set(d1, db);
  }
  return db;
}
