// The dashboard's frame: the site header, the section navigation (a <details> menu on a phone) and the page.
import { Form, NavLink, Outlet, useLocation } from "react-router";
import { SiteHeader } from "../../components/SiteHeader";
import { isAdmin, requireUser } from "../../lib/session.server";
import type { Route } from "./+types/layout";

const sections = [
  { to: "/dashboard", label: "Overview", end: true },
  { to: "/dashboard/keys", label: "API keys" },
  { to: "/dashboard/provider-keys", label: "Provider keys" },
  { to: "/dashboard/usage", label: "Usage" },
  { to: "/dashboard/requests", label: "Request log" },
  { to: "/dashboard/playground", label: "Playground" },
  { to: "/dashboard/models", label: "Models and prices" },
  { to: "/dashboard/billing", label: "Billing" },
  { to: "/dashboard/settings", label: "Privacy settings" },
  { to: "/dashboard/whatsapp", label: "WhatsApp" },
  { to: "/dashboard/privacy", label: "Your data" },
  { to: "/dashboard/account", label: "Account" },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const verification = new URL(request.url).searchParams.get("verification") as "sent" | "throttled" | null;
  return {
    email: session.email,
    emailVerified: session.emailVerified,
    verification: verification === "sent" || verification === "throttled" ? verification : null,
    admin: isAdmin(env, session),
    appName: env.APP_NAME ?? "Botmara",
  };
}

function SectionLinks({ admin }: { admin: boolean }) {
  return (
    <>
      {sections.map((s) => (
        <NavLink key={s.to} to={s.to} end={s.end}>
          {s.label}
        </NavLink>
      ))}
      {admin ? <NavLink to="/admin">Operators</NavLink> : null}
    </>
  );
}

export default function DashboardLayout({ loaderData }: Route.ComponentProps) {
  const { pathname } = useLocation();
  const current =
    [...sections].reverse().find((s) => (s.end ? pathname === s.to : pathname.startsWith(s.to)))?.label ??
    "Sections";
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn />
      <div className="shell">
        <nav className="sidenav wide-only" aria-label="Dashboard">
          <SectionLinks admin={loaderData.admin} />
        </nav>
        <details className="section-menu narrow-only" key={pathname}>
          <summary>
            <span className="muted">Dashboard:</span> {current}
          </summary>
          <nav aria-label="Dashboard" className="section-panel">
            <SectionLinks admin={loaderData.admin} />
          </nav>
        </details>
        <main id="main" className="content">
          {loaderData.emailVerified ? null : (
            <VerifyBanner email={loaderData.email} state={loaderData.verification} />
          )}
          <Outlet />
        </main>
      </div>
    </>
  );
}

/** Until the address is verified: what it changes, and a resend button that works without JavaScript. */
function VerifyBanner({ email, state }: { email: string; state: "sent" | "throttled" | null }) {
  return (
    <section className="alert" role="status" aria-labelledby="verify-email" data-testid="verify-banner">
      <strong id="verify-email">Verify your email address.</strong>{" "}
      {state === "sent"
        ? `A new link is on its way to ${email}; it works once, for 24 hours.`
        : state === "throttled"
          ? "A link was sent a short while ago: check your inbox and spam folder, or try again later."
          : `We sent a link to ${email}. Until you use it, you can use the dashboard and the API on your trial credit, but we cannot mail you links to confirm privacy requests or email changes.`}
      <Form method="post" action="/dashboard/verify-email" className="inline">
        <button type="submit" className="secondary">
          Send the link again
        </button>
      </Form>
    </section>
  );
}
