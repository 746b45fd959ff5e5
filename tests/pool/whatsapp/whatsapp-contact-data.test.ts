// A business answers its own WhatsApp contacts' data-rights requests (issue #29): it types a number, the server
// hashes it and shows, exports and erases what every store holds for that contact — with a signed receipt that
// /privacy/verify accepts, the request in the privacy trail, and nothing left with that hash anywhere.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { allChecks } from "#worker/privacy/promises/checks";
import { CONTACT_TABLES, NOT_PER_CONTACT } from "#worker/whatsapp/contact-data/stores";
import { contactHash } from "#worker/whatsapp/sealing";
import * as contactsPage from "../../../app/routes/dashboard/whatsapp-contacts.server";
import * as exportRoute from "../../../app/routes/dashboard/whatsapp-contacts-export";
import { requestLogRows } from "../support/ai-helpers";
import { call, expectError, PASSWORD } from "../support/helpers";
import { args, page, post, unwrap } from "../support/route-calls";
import {
  type Connected,
  connectedUser,
  customerNumber,
  messageRow,
  say,
  scriptGraph,
} from "../support/whatsapp-helpers";

const API = "/api/whatsapp/contacts";

async function loggingOn(user: Connected) {
  const res = await call("/api/settings/privacy", {
    method: "PUT",
    body: { contentLogging: true, retentionDays: 7 },
    cookie: user.cookie,
  });
  expect(res.status).toBe(200);
}

/** Rows in every table (and D1 as a whole) that still carry the hash. */
async function rowsWithHash(accountId: string, hash: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of CONTACT_TABLES) {
    const row = await env.DB.prepare(
      `SELECT count(*) AS n FROM "${t.table}" WHERE account_id = ? AND contact_hash = ?`,
    )
      .bind(accountId, hash)
      .first<{ n: number }>();
    out[t.table] = row?.n ?? 0;
  }
  return out;
}

async function everythingInD1(): Promise<string> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const dumps: string[] = [];
  for (const { name } of tables)
    dumps.push(JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results));
  return dumps.join("\n");
}

/** Logged objects of the account whose metadata names the hash (R2 listing, no content read). */
async function loggedWithHash(accountId: string, hash: string): Promise<number> {
  let n = 0;
  for (const days of [1, 7, 30, 90]) {
    const listed = await env.CONTENT.list({
      prefix: `content/${days}d/${accountId}/`,
      include: ["customMetadata"],
    });
    n += listed.objects.filter((o) => o.customMetadata?.contact === hash).length;
  }
  return n;
}

const contactCheck = () => allChecks().find((c) => c.id === "p9.contacts_nothing_left")!;

type Held = {
  label: string;
  contentLogging: boolean;
  stores: { holder: string; records: number; rows: Record<string, unknown>[] }[];
  logged: { records: number; items: Record<string, unknown>[] };
  requests: { id: string; source: string }[];
};
const records = (held: Held, holder: string) => held.stores.find((s) => s.holder === holder)!.records;

describe("WhatsApp contact data", () => {
  it("looks up, exports and erases one contact everywhere, with a receipt that verifies; others untouched", async () => {
    const user = await connectedUser();
    await loggingOn(user);
    const from = customerNumber();
    const other = customerNumber();
    const tag = `marker-${crypto.randomUUID()}`;
    const hash = await contactHash(env, user.accountId, from);
    const otherHash = await contactHash(env, user.accountId, other);

    // Answered with logging on (metadata, context, a logged copy, a request-log row), then one whose reply
    // Graph refuses for now (a pending row), then STOP (an opt-out).
    const answered = await say(user, from, `Do you have croissants? ${tag}`);
    expect(await messageRow(user.accountId, answered.id)).toMatchObject({ status: "replied" });
    await scriptGraph(user.phoneNumberId, 500);
    const waiting = await say(user, from, "And baguettes?");
    expect(await messageRow(user.accountId, waiting.id)).toMatchObject({ status: "pending" });
    await say(user, from, "human"); // a hand-off: the business is mailed a notice keyed by the contact
    await say(user, from, "STOP");
    await say(user, other, "Hello from someone else");
    const elsewhere = await connectedUser();
    await say(elsewhere, from, "Same number, another business");
    const elsewhereHash = await contactHash(env, elsewhere.accountId, from);

    // Every stored item for the contact carries its hash.
    const pendingHash = await env.DB.prepare(
      "SELECT contact_hash FROM whatsapp_pending WHERE account_id = ? AND message_id = ?",
    )
      .bind(user.accountId, waiting.id)
      .first<{ contact_hash: string }>();
    expect(pendingHash?.contact_hash).toBe(hash);
    expect(await loggedWithHash(user.accountId, hash)).toBeGreaterThan(0);
    const linked = await env.DB.prepare(
      "SELECT request_id FROM whatsapp_messages WHERE account_id = ? AND id = ?",
    )
      .bind(user.accountId, answered.id)
      .first<{ request_id: string }>();
    expect((await requestLogRows(user.accountId)).map((r) => r.id)).toContain(linked?.request_id);

    // Look up: typed the way people type numbers.
    const typed = `+${from.slice(0, 1)} ${from.slice(1, 4)} ${from.slice(4, 7)}-${from.slice(7)}`;
    const looked = await call(`${API}/lookup`, { body: { number: typed }, cookie: user.cookie });
    expect(looked.status).toBe(200);
    const held = (await looked.json()) as Held;
    expect(held.label).toBe(hash.slice(0, 8));
    expect(held.contentLogging).toBe(true);
    expect(records(held, "whatsapp_messages")).toBeGreaterThanOrEqual(4);
    expect(records(held, "whatsapp_context")).toBeGreaterThanOrEqual(2);
    expect(records(held, "whatsapp_pending")).toBe(1);
    expect(records(held, "whatsapp_contacts")).toBe(1);
    expect(held.stores.find((s) => s.holder === "whatsapp_contacts")!.rows[0]!.opted_out_at).toBeTruthy();
    expect(JSON.stringify(held.stores)).toContain(tag); // context texts, decrypted while logging is on
    expect(held.logged.records).toBeGreaterThan(0);
    expect(held.requests.map((r) => r.id)).toContain(linked?.request_id);
    expect(JSON.stringify(held)).not.toContain(from);
    expect(JSON.stringify(held)).not.toContain(hash);

    // Export: a JSON download holding the logged copy decrypted.
    const exported = await call(`${API}/export`, { body: { number: `00${from}` }, cookie: user.cookie });
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition")).toMatch(/^attachment; filename="whatsapp-contact-/);
    const doc = (await exported.json()) as Held & { kind: string };
    expect(doc.kind).toBe("botmara-whatsapp-contact-export/1");
    expect(JSON.stringify(doc.logged.items)).toContain(tag);

    // Erasing needs sudo.
    await expectError(await call(`${API}/erase`, { body: { number: from }, cookie: user.cookie }), 401);
    expect((await rowsWithHash(user.accountId, hash)).whatsapp_context).toBe(
      records(held, "whatsapp_context"),
    );

    const erased = await call(`${API}/erase`, {
      body: { number: from, password: PASSWORD },
      cookie: user.cookie,
    });
    expect(erased.status).toBe(200);
    const receipt = (await erased.json()) as {
      kind: string;
      requestId: string;
      jws: string;
      erased: { holder: string; records: number }[];
    };
    expect(receipt.kind).toBe("botmara-contact-erasure-receipt/1");
    const erasedOf = (h: string) => receipt.erased.find((e) => e.holder === h)!.records;
    expect(erasedOf("whatsapp_context")).toBe(records(held, "whatsapp_context"));
    expect(erasedOf("whatsapp_messages")).toBe(records(held, "whatsapp_messages"));
    expect(erasedOf("whatsapp_pending")).toBe(1);
    expect(erasedOf("whatsapp_contacts")).toBe(1);
    expect(erasedOf("whatsapp_logged_content")).toBe(held.logged.records);
    expect(erasedOf("whatsapp_hand_off_notices")).toBeGreaterThan(0);
    expect(JSON.stringify(receipt)).not.toContain(hash);

    // Nothing with that hash is left: raw rows, all of D1, R2 listings.
    expect(Object.values(await rowsWithHash(user.accountId, hash)).every((n) => n === 0)).toBe(true);
    expect(await everythingInD1()).not.toContain(hash);
    expect(await loggedWithHash(user.accountId, hash)).toBe(0);

    // The receipt verifies, readably.
    const verified = await call("/api/privacy/receipts/verify", { body: { receipt: receipt.jws } });
    const check = (await verified.json()) as { valid: boolean; readable: { requestId: string } | null };
    expect(check.valid).toBe(true);
    expect(check.readable?.requestId).toBe(receipt.requestId);
    const altered = await call("/api/privacy/receipts/verify", {
      body: { receipt: { ...receipt, erased: [] } },
    });
    expect(((await altered.json()) as { valid: boolean }).valid).toBe(false);

    // The requests are in the privacy trail (counts only, never the number or the hash).
    const { results: trail } = await env.DB.prepare(
      "SELECT action, request_id, detail FROM privacy_audit WHERE action LIKE 'whatsapp_contact.%' AND request_id = ?",
    )
      .bind(receipt.requestId)
      .all<{ action: string; detail: string }>();
    expect(trail.map((t) => t.action)).toEqual(["whatsapp_contact.erased"]);
    const { results: all } = await env.DB.prepare(
      "SELECT action, detail FROM privacy_audit WHERE action LIKE 'whatsapp_contact.%'",
    ).all<{ action: string; detail: string }>();
    expect(all.map((t) => t.action)).toEqual(
      expect.arrayContaining(["whatsapp_contact.looked_up", "whatsapp_contact.exported"]),
    );
    expect(JSON.stringify(all)).not.toContain(from);

    // The other contact and the other account are untouched.
    expect((await rowsWithHash(user.accountId, otherHash)).whatsapp_messages).toBeGreaterThan(0);
    expect((await rowsWithHash(elsewhere.accountId, elsewhereHash)).whatsapp_messages).toBeGreaterThan(0);

    // A look-up now finds nothing.
    const after = (await (
      await call(`${API}/lookup`, { body: { number: from }, cookie: user.cookie })
    ).json()) as Held;
    expect(after.stores.every((s) => s.records === 0)).toBe(true);
    expect(after.logged.records).toBe(0);

    // The promise check: kept; broken when a row with the erased hash comes back; kept again once it is gone.
    expect((await contactCheck().run(env, new Date())).status).toBe("kept");
    await env.DB.prepare(
      "INSERT INTO whatsapp_context (account_id, message_id, phone_number_id, contact_hash, role, body_sealed, created_at, expires_at) VALUES (?, ?, ?, ?, 'user', 'x', ?, ?)",
    )
      .bind(
        user.accountId,
        `wamid.left-${crypto.randomUUID()}`,
        user.phoneNumberId,
        hash,
        Date.now(),
        Date.now() + 60_000,
      )
      .run();
    const broken = await contactCheck().run(env, new Date());
    expect(broken.status).toBe("broken");
    expect(broken.refs).toContain(receipt.requestId);
    await env.DB.prepare("DELETE FROM whatsapp_context WHERE account_id = ? AND contact_hash = ?")
      .bind(user.accountId, hash)
      .run();
    expect((await contactCheck().run(env, new Date())).status).toBe("kept");
  });

  it("with logging off: metadata, pending and opt-out are found and erased; no text is shown", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    const hash = await contactHash(env, user.accountId, from);
    const tag = `marker-${crypto.randomUUID()}`;
    await say(user, from, "hello");
    await scriptGraph(user.phoneNumberId, 500);
    await say(user, from, `still there? ${tag}`);
    await say(user, from, "STOP");

    const held = (await (
      await call(`${API}/lookup`, { body: { number: `+${from}` }, cookie: user.cookie })
    ).json()) as Held;
    expect(held.contentLogging).toBe(false);
    expect(records(held, "whatsapp_pending")).toBe(1);
    expect(records(held, "whatsapp_contacts")).toBe(1);
    expect(records(held, "whatsapp_context")).toBe(0);
    expect(held.logged.records).toBe(0);
    expect(JSON.stringify(held)).not.toContain(tag);

    const res = await call(`${API}/erase`, {
      body: { number: from, password: PASSWORD },
      cookie: user.cookie,
    });
    expect(res.status).toBe(200);
    expect(Object.values(await rowsWithHash(user.accountId, hash)).every((n) => n === 0)).toBe(true);
  });

  it("refuses a number that cannot be a WhatsApp number, in the API's error shape", async () => {
    const user = await connectedUser();
    for (const number of ["0151 2345678", "+12", "call me", "+49 151 2345 6789 1234 5"]) {
      const error = await expectError(
        await call(`${API}/lookup`, { body: { number }, cookie: user.cookie }),
        400,
      );
      expect(error.param).toBe("number");
    }
    await expectError(await call(`${API}/lookup`, { body: { number: "+15551234567" } }), 401);
  });

  it("the page looks up, refuses erasing without the password, erases with it, and the export downloads", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    await say(user, from, "hello");
    const path = "/dashboard/whatsapp/contacts";
    const bad = unwrap(
      await contactsPage.action(args(post(path, { intent: "lookup", number: "abc" }, user.cookie))),
    );
    expect(bad.status).toBe(400);
    expect(bad.error?.fields.number).toMatch(/country code/);

    const looked = unwrap(
      await contactsPage.action(args(post(path, { intent: "lookup", number: `+${from}` }, user.cookie))),
    ) as unknown as { held: Held; number: string };
    expect(looked.number).toBe(from);
    expect(records(looked.held, "whatsapp_messages")).toBe(2);

    const download = (await exportRoute.action(
      args(post(`${path}/export`, { number: looked.number }, user.cookie)),
    )) as Response;
    expect(download.headers.get("content-disposition")).toMatch(/^attachment/);
    expect(((await download.json()) as Held).stores.length).toBe(CONTACT_TABLES.length);

    const refused = unwrap(
      await contactsPage.action(args(post(path, { intent: "erase", number: from }, user.cookie))),
    );
    expect(refused.status).toBe(401);
    const done = unwrap(
      await contactsPage.action(
        args(post(path, { intent: "erase", number: from, password: PASSWORD }, user.cookie)),
      ),
    ) as unknown as { receipt: { jws: string } };
    expect(done.receipt.jws.split(".")).toHaveLength(3);
    const loader = await contactsPage.loader(args(page(path, user.cookie)));
    expect(loader).toEqual({});
  });

  it("every WhatsApp table that holds rows per contact carries the contact hash and is erased per contact", async () => {
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'whatsapp_%'",
    ).all<{ name: string }>();
    const listed = new Set(CONTACT_TABLES.map((t) => t.table));
    for (const { name } of results) {
      if (NOT_PER_CONTACT.has(name)) continue;
      const { results: columns } = await env.DB.prepare("SELECT name FROM pragma_table_info(?)")
        .bind(name)
        .all<{ name: string }>();
      expect(
        columns.map((c) => c.name),
        `${name} lacks contact_hash`,
      ).toContain("contact_hash");
      expect(listed.has(name), `${name} is not in CONTACT_TABLES`).toBe(true);
    }
    for (const t of listed) expect(results.map((r) => r.name)).toContain(t);
  });
});
