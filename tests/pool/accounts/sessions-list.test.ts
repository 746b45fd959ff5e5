// "Your sessions": each active session with its device, place (when Cloudflare gave one), created and last seen,
// each revocable; last-seen advances on use, and a session idle too long is gone from the list and refused.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SESSION_IDLE_MS, TOUCH_INTERVAL_MS } from "#worker/accounts/session-timing";
import { call, cookieFrom, expectError, newUser, PASSWORD, testAddress } from "../support/helpers";

type Listed = {
  id: string;
  current: boolean;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
};
const list = async (cookie: string) =>
  (await (await call("/api/auth/sessions", { cookie })).json()) as Listed[];
const loginFrom = async (email: string, userAgent: string) =>
  cookieFrom(
    await call("/api/auth/login", {
      body: { email, password: PASSWORD },
      headers: { "cf-connecting-ip": testAddress(), "user-agent": userAgent },
    }),
  );
/** Moves a session's clock back by `ms`, as if it had been created and last used that long ago. */
const age = async (cookie: string, ms: number) =>
  env.DB.prepare(
    "UPDATE sessions SET last_seen_at = last_seen_at - ?1, created_at = created_at - ?1 WHERE id_hash = ?2",
  )
    .bind(ms, await hashOf(cookie))
    .run();

async function hashOf(cookie: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(cookie.split("=")[1]!));
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("GET/DELETE /api/auth/sessions", () => {
  it("lists each session with its device, marks the current one, and ends another by its id", async () => {
    const user = await newUser();
    const phone = await loginFrom(user.email, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/605.1.15");
    const laptop = await loginFrom(user.email, "Mozilla/5.0 (Macintosh) Firefox/133.0");
    const sessions = await list(laptop);
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.find((s) => s.current)!.userAgent).toContain("Firefox");
    const phoneRow = sessions.find((s) => s.userAgent?.includes("iPhone"))!;
    // The id is not the cookie, nor the stored hash.
    expect(phoneRow.id).not.toBe(await hashOf(phone));
    expect(
      (await call(`/api/auth/sessions/${phoneRow.id}`, { method: "DELETE", cookie: laptop })).status,
    ).toBe(204);
    await expectError(await call("/api/account", { cookie: phone }), 401);
    expect(await list(laptop)).toHaveLength(2);
    // Another account's session id is not found (and stays alive).
    const other = await newUser();
    const [otherRow] = await list(other.cookie);
    await expectError(
      await call(`/api/auth/sessions/${otherRow!.id}`, { method: "DELETE", cookie: laptop }),
      404,
    );
    expect((await call("/api/account", { cookie: other.cookie })).status).toBe(200);
  });

  it("advances last-seen on use, and forgets a session idle too long", async () => {
    const user = await newUser();
    const hash = await hashOf(user.cookie);
    // Last used a while ago: the next request moves last-seen to now.
    await age(user.cookie, TOUCH_INTERVAL_MS + 60_000);
    const before = (await env.DB.prepare("SELECT last_seen_at FROM sessions WHERE id_hash = ?")
      .bind(hash)
      .first<{
        last_seen_at: number;
      }>())!.last_seen_at;
    const [listed] = await list(user.cookie);
    const after = (await env.DB.prepare("SELECT last_seen_at FROM sessions WHERE id_hash = ?")
      .bind(hash)
      .first<{
        last_seen_at: number;
      }>())!.last_seen_at;
    expect(after).toBeGreaterThan(before + TOUCH_INTERVAL_MS);
    expect(Date.parse(listed!.lastSeenAt)).toBe(after);

    // Idle past the limit: refused, and gone from the other session's list.
    const other = await loginFrom(user.email, "curl/8.0");
    await age(user.cookie, SESSION_IDLE_MS + 60_000);
    await expectError(await call("/api/account", { cookie: user.cookie }), 401);
    const remaining = await list(other);
    expect(remaining).toHaveLength(1);
    expect(remaining[0]!.current).toBe(true);
  });
});
