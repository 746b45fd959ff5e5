// Passkeys through the API with a software authenticator (tests/pool/support/passkey.ts): adding one needs sudo and
// brings the recovery codes; it finishes a login and re-authenticates a session; a signed answer works once — a
// replay, an answer to an earlier challenge, another account's passkey or a login's answer sent to another login
// never finish anything; removing one needs sudo.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  call,
  cookieFrom,
  expectError,
  newVerifiedUser,
  ORIGIN,
  PASSWORD,
  testAddress,
} from "../support/helpers";
import { newPasskey, type Passkey } from "../support/passkey";

type Options = { challenge: string };

const login = (email: string) =>
  call("/api/auth/login", {
    body: { email, password: PASSWORD },
    headers: { "cf-connecting-ip": testAddress() },
  });
const loginOptions = async (pending: string) =>
  (await (
    await call("/api/auth/passkeys/authentication/options", { method: "POST", cookie: pending })
  ).json()) as Options;
const loginVerify = (pending: string, response: unknown) =>
  call("/api/auth/passkeys/authentication/verify", {
    body: { response },
    cookie: pending,
    headers: { "cf-connecting-ip": testAddress() },
  });

/** A verified user with a passkey added (under sudo), and the recovery codes that came with it. */
async function withPasskey(synced = false) {
  return addPasskey(await newVerifiedUser(), synced);
}

/** Adds a passkey to a signed-in user's account under sudo (the registration ceremony, answered). */
async function addPasskey<U extends { cookie: string }>(user: U, synced = false) {
  const passkey = await newPasskey(ORIGIN, { synced });
  const options = (await (
    await call("/api/auth/passkeys/registration/options", {
      body: { password: PASSWORD },
      cookie: user.cookie,
    })
  ).json()) as Options;
  const added = await call("/api/auth/passkeys/registration/verify", {
    body: { response: await passkey.register(options), name: "Laptop" },
    cookie: user.cookie,
  });
  expect(added.status).toBe(201);
  const { recoveryCodes } = (await added.json()) as { recoveryCodes: string[] };
  return { ...user, passkey, recoveryCodes };
}

async function pendingLogin(email: string): Promise<string> {
  const res = await login(email);
  expect(await res.json()).toEqual({ mfaRequired: true, methods: ["passkey", "recovery_code"] });
  return cookieFrom(res);
}

describe("passkeys", () => {
  it("are added only under sudo, come with ten recovery codes, and finish a login", async () => {
    const user = await newVerifiedUser();
    const bare = await call("/api/auth/passkeys/registration/options", {
      method: "POST",
      cookie: user.cookie,
    });
    expect((await expectError(bare, 401)).code).toBe("reauth_required");
    // Under sudo, an answer to a challenge it was not given is refused and nothing is stored.
    const asked = await call("/api/auth/passkeys/registration/options", {
      body: { password: PASSWORD },
      cookie: user.cookie,
    });
    expect(asked.status).toBe(200);
    const stray = await newPasskey(ORIGIN);
    const unasked = await call("/api/auth/passkeys/registration/verify", {
      body: { response: await stray.register({ challenge: "bm90LWFza2Vk" }) },
      cookie: user.cookie,
    });
    expect((await expectError(unasked, 400)).code).toBe("passkey_not_verified");
    expect(await (await call("/api/auth/passkeys", { cookie: user.cookie })).json()).toEqual([]);

    const owner = await withPasskey();
    expect(owner.recoveryCodes).toHaveLength(10);
    const pending = await pendingLogin(owner.email);
    const done = await loginVerify(pending, await owner.passkey.sign(await loginOptions(pending)));
    expect(done.status).toBe(200);
    expect((await call("/api/account", { cookie: cookieFrom(done) })).status).toBe(200);
  });

  it("once added, end every session but the one that added it (those were opened without a factor)", async () => {
    const user = await newVerifiedUser();
    const other = cookieFrom(await login(user.email));
    expect((await call("/api/account", { cookie: other })).status).toBe(200);
    await addPasskey(user);
    expect((await call("/api/account", { cookie: other })).status).toBe(401);
    expect((await call("/api/account", { cookie: user.cookie })).status).toBe(200);
  });

  it("a signed answer works once: replayed, or answering an earlier challenge, it finishes nothing", async () => {
    const owner = await withPasskey();
    const first = await pendingLogin(owner.email);
    const answer = await owner.passkey.sign(await loginOptions(first));
    // The same answer twice at once: one session at most.
    const [a, b] = await Promise.all([loginVerify(first, answer), loginVerify(first, answer)]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    // Replayed later, for the same login (used up) and for a new one (its challenge is another).
    await expectError(await loginVerify(first, answer), 401);
    const second = await pendingLogin(owner.email);
    const stale = await owner.passkey.sign(await loginOptions(second));
    await loginOptions(second); // new options: the challenge the stale answer signed is gone
    expect((await expectError(await loginVerify(second, stale), 401)).code).toBe("invalid_second_factor");
    expect((await expectError(await loginVerify(second, answer), 401)).code).toBe("invalid_second_factor");
  });

  it("a synced passkey (its counter stays 0): a re-authentication's answer replayed opens no sudo window", async () => {
    const owner = await withPasskey(true);
    const pending = await pendingLogin(owner.email);
    const session = cookieFrom(
      await loginVerify(pending, await owner.passkey.sign(await loginOptions(pending))),
    );
    const options = (await (
      await call("/api/auth/passkeys/authentication/options", { method: "POST", cookie: session })
    ).json()) as Options;
    const answer = await owner.passkey.sign(options);
    const verify = () =>
      call("/api/auth/passkeys/authentication/verify", { body: { response: answer }, cookie: session });
    expect((await verify()).status).toBe(200);
    expect((await expectError(await verify(), 401)).code).toBe("invalid_second_factor");
  });

  it("another account's passkey, or an answer made for another login, finishes nothing", async () => {
    const owner = await withPasskey();
    const other = await withPasskey();
    const sessions = async () =>
      (await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE account_id IN (?, ?)")
        .bind(owner.id, other.id)
        .first<{ n: number }>())!.n;
    const before = await sessions();
    const pending = await pendingLogin(owner.email);
    const options = await loginOptions(pending);
    expect((await expectError(await loginVerify(pending, await other.passkey.sign(options)), 401)).code).toBe(
      "invalid_second_factor",
    );
    // The other account's login, answered with the owner's challenge, fails too.
    const theirs = await pendingLogin(other.email);
    await loginOptions(theirs);
    await expectError(await loginVerify(theirs, await other.passkey.sign(options)), 401);
    expect(await sessions()).toBe(before);
  });

  it("re-authenticate a session (sudo), and their removal needs sudo", async () => {
    const owner = await withPasskey();
    const pending = await pendingLogin(owner.email);
    const session = cookieFrom(
      await loginVerify(pending, await owner.passkey.sign(await loginOptions(pending))),
    );
    const list = (await (await call("/api/auth/passkeys", { cookie: session })).json()) as { id: string }[];
    expect(list.map((p) => p.id)).toEqual([owner.passkey.id]);
    const remove = () => call(`/api/auth/passkeys/${list[0]!.id}`, { method: "DELETE", cookie: session });
    expect((await expectError(await remove(), 401)).code).toBe("reauth_required");
    const reauth = await reauthenticate(session, owner.passkey);
    expect(reauth.status).toBe(200);
    expect((await remove()).status).toBe(204);
    // With no factor left the recovery codes went too, and the password alone logs in again.
    expect(((await (await login(owner.email)).json()) as { account?: unknown }).account).toBeDefined();
  });
});

async function reauthenticate(session: string, passkey: Passkey) {
  const options = (await (
    await call("/api/auth/passkeys/authentication/options", { method: "POST", cookie: session })
  ).json()) as Options;
  return call("/api/auth/passkeys/authentication/verify", {
    body: { response: await passkey.sign(options) },
    cookie: session,
  });
}
