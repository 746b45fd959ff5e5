// The pre-account hijack (issue 31): someone signs up with another's address, sets the account up and keeps a
// link, waits for the owner to recover it, then redeems the link. Ownership proven once discards all of it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { policy } from "#worker/config";
import { getDb } from "#worker/db";
import { createLinkToken } from "#worker/privacy/rights-requests/links";
import { trainingConsentTimeline, updatePrivacySettings } from "#worker/settings/store";
import {
  call,
  cookieFrom,
  expectError,
  mailboxLink,
  newUser,
  newVerifiedUser,
  PASSWORD,
  testAddress,
  uniqueEmail,
} from "../support/helpers";

const OWNER_PASSWORD = "the owner's own passphrase";
const login = (email: string, password: string) =>
  call("/api/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": testAddress() } });
const chat = (key: string) =>
  call("/v1/chat/completions", {
    key,
    body: { model: "dev/echo", messages: [{ role: "user", content: "hi" }] },
  });
const settingsOf = async (cookie: string) =>
  (await (await call("/api/settings/privacy", { cookie })).json()) as Record<string, unknown>;
const historyOf = async (cookie: string) =>
  (
    (await (await call("/api/settings/privacy/history", { cookie })).json()) as {
      data: { setting: string; oldValue: boolean; newValue: boolean; channel: string }[];
    }
  ).data;
const useLink = (token: string, cookie?: string) =>
  call("/api/privacy/links", { body: { token }, ...(cookie ? { cookie } : {}) });

/** A squatted account: signed up with the victim's address, keyed, set up, with a link kept for later. */
async function squat() {
  const victim = uniqueEmail("victim");
  const squatter = await newUser(victim);
  const created = await call("/api/keys", { body: { name: "squatter's" }, cookie: squatter.cookie });
  const { key } = (await created.json()) as { key: string };
  expect((await chat(key)).status).toBe(200);
  // What is still open to an unproven holder: settings that keep nothing.
  const put = await call("/api/settings/privacy", {
    method: "PUT",
    body: { notices: false, retentionDays: 90 },
    cookie: squatter.cookie,
  });
  expect(put.status).toBe(200);
  // Logging and training consent, as a squatter could turn them on before this release (the store, as then).
  await updatePrivacySettings(
    getDb(env.DB),
    squatter.id,
    { contentLogging: true, trainingConsent: true },
    "api",
  );
  // Today they, and the email change, are refused.
  for (const res of [
    await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: true },
      cookie: squatter.cookie,
    }),
    await call("/api/account", {
      method: "PATCH",
      body: { email: uniqueEmail("squatter"), password: PASSWORD },
      cookie: squatter.cookie,
    }),
  ])
    expect((await expectError(res, 403)).code).toBe("email_unverified");
  // A pending email change to the squatter's own address, as one requested before this release would be.
  const squatterMailbox = uniqueEmail("squatter");
  const kept = await createLinkToken(env, {
    purpose: "email_change",
    accountId: squatter.id,
    newEmail: squatterMailbox,
  });
  return { victim, squatter, key, kept, squatterMailbox };
}

describe("attack: squat → recover → redeem", () => {
  it("the owner's reset ends every session, link and key of the squatter; the settings go back to the defaults", async () => {
    const { victim, squatter, key, kept, squatterMailbox } = await squat();
    // The owner is told the address is taken, and recovers it by a password reset.
    const signup = await call("/api/auth/signup", { body: { email: victim, password: OWNER_PASSWORD } });
    expect((await expectError(signup, 409)).code).toBe("email_taken");
    expect((await call("/api/auth/password-reset", { body: { email: victim } })).status).toBe(202);
    const reset = await mailboxLink(victim, "password_reset");
    const confirmed = await call("/api/auth/password-reset/confirm", {
      body: { token: reset, newPassword: OWNER_PASSWORD },
    });
    expect(confirmed.status).toBe(204);
    const owner = cookieFrom(await login(victim, OWNER_PASSWORD));
    const ownKey = (await (await call("/api/keys", { body: { name: "mine" }, cookie: owner })).json()) as {
      key: string;
    };
    const logging = await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: false },
      cookie: owner,
    });
    expect(logging.status).toBe(200);

    // The squatter redeems what they kept: nothing works.
    expect((await expectError(await useLink(kept), 400)).code).toBe("invalid_link");
    expect((await expectError(await useLink(kept, squatter.cookie), 400)).code).toBe("invalid_link");
    await expectError(await call("/api/account", { cookie: squatter.cookie }), 401);
    await expectError(await chat(key), 401);
    await expectError(await login(victim, PASSWORD), 401);
    await expectError(await login(squatterMailbox, PASSWORD), 401);

    // The owner keeps the account, its address, their own session and key.
    const account = (await (await call("/api/account", { cookie: owner })).json()) as Record<string, unknown>;
    expect(account).toMatchObject({ email: victim, emailVerified: true });
    expect((await chat(ownKey.key)).status).toBe(200);
    const keys = (await (await call("/api/keys", { cookie: owner })).json()) as {
      data: { name: string; revokedAt: string | null }[];
    };
    expect(keys.data.filter((k) => !k.revokedAt).map((k) => k.name)).toEqual(["mine"]);

    // Settings: the defaults, not the squatter's choices.
    expect(await settingsOf(owner)).toMatchObject({
      contentLogging: policy.contentLoggingDefault,
      trainingConsent: policy.trainingConsentDefault,
      retentionDays: 30,
      notices: true,
    });
  });

  it("consent after recovery: the history records a reset, never the squatter's choice as the owner's", async () => {
    const { victim, squatter } = await squat();
    const before = Date.now();
    await call("/api/auth/password-reset", { body: { email: victim } });
    const reset = await mailboxLink(victim, "password_reset");
    await call("/api/auth/password-reset/confirm", { body: { token: reset, newPassword: OWNER_PASSWORD } });
    const owner = cookieFrom(await login(victim, OWNER_PASSWORD));
    const history = await historyOf(owner);
    const resets = history.filter((e) => e.channel === "reset");
    expect(resets.map((e) => [e.setting, e.newValue]).sort()).toEqual(
      [
        ["contentLogging", policy.contentLoggingDefault],
        ["notices", true],
        ["trainingConsent", policy.trainingConsentDefault],
      ].sort(),
    );
    // Newest first: the reset is the last word on every switch.
    for (const setting of ["contentLogging", "trainingConsent", "notices"])
      expect(history.find((e) => e.setting === setting)?.channel).toBe("reset");
    // What the training export reads: no consent from the moment of recovery on.
    const consented = await trainingConsentTimeline(getDb(env.DB), squatter.id);
    expect(consented(new Date(Date.now() + 1_000))).toBe(false);
    expect(consented(new Date(before - 1))).toBe(true); // the squatter's switch, still on record as theirs
  });

  it("a verification link used from another browser proves the address: the squatter's sessions and setup go", async () => {
    const { victim, squatter, key, kept } = await squat();
    const token = await mailboxLink(victim, "email_verification");
    expect((await useLink(token)).status).toBe(200);
    await expectError(await call("/api/account", { cookie: squatter.cookie }), 401);
    await expectError(await chat(key), 401);
    expect((await expectError(await useLink(kept), 400)).code).toBe("invalid_link");
    const again = cookieFrom(await login(victim, PASSWORD));
    expect(await settingsOf(again)).toMatchObject({
      contentLogging: false,
      trainingConsent: false,
      notices: true,
    });
  });

  it("used from the session that signed up, the same link keeps that session and what it set up", async () => {
    const user = await newUser();
    const created = await call("/api/keys", { body: { name: "k" }, cookie: user.cookie });
    const { key } = (await created.json()) as { key: string };
    const other = cookieFrom(await login(user.email, PASSWORD));
    const token = await mailboxLink(user.email, "email_verification");
    expect((await useLink(token, user.cookie)).status).toBe(200);
    expect((await call("/api/account", { cookie: user.cookie })).status).toBe(200);
    expect((await chat(key)).status).toBe(200);
    await expectError(await call("/api/account", { cookie: other }), 401);
  });
});

describe("links bound to the account's security stamp", () => {
  it("a password change kills a pending email change (and a reset link); the way back from a change survives", async () => {
    const user = await newVerifiedUser();
    const next = uniqueEmail("next");
    await call("/api/account", {
      method: "PATCH",
      body: { email: next, password: PASSWORD },
      cookie: user.cookie,
    });
    const change = await mailboxLink(next, "email_change");
    const revert = await mailboxLink(user.email, "email_change_notice");
    await call("/api/auth/password-reset", { body: { email: user.email } });
    const reset = await mailboxLink(user.email, "password_reset");
    const changed = await call("/api/auth/password", {
      body: { currentPassword: PASSWORD, newPassword: OWNER_PASSWORD },
      cookie: user.cookie,
    });
    expect(changed.status).toBe(204);
    expect((await expectError(await useLink(change, user.cookie), 400)).code).toBe("invalid_link");
    const resetUse = await call("/api/auth/password-reset/confirm", {
      body: { token: reset, newPassword: PASSWORD },
    });
    expect((await expectError(resetUse, 400)).code).toBe("invalid_link");
    expect(await useLink(revert)).toHaveProperty("status", 200);
  });

  it("a link issued before the stamp moved dies even when nothing retired it", async () => {
    const user = await newVerifiedUser();
    const link = await createLinkToken(env, {
      purpose: "email_change",
      accountId: user.id,
      newEmail: uniqueEmail(),
    });
    await env.DB.prepare("UPDATE accounts SET security_stamp = 'moved-on' WHERE id = ?").bind(user.id).run();
    expect((await expectError(await useLink(link, user.cookie), 400)).code).toBe("invalid_link");
  });
});
