import { NavLink, Outlet } from "react-router";
import { SiteHeader } from "../../components/SiteHeader";
import { isAdmin, requireUser } from "../../lib/session.server";
import type { Route } from "./+types/layout";

const sections = [
  { to: "/dashboard", label: "Overview", end: true },
  { to: "/dashboard/keys", label: "API keys" },
  { to: "/dashboard/usage", label: "Usage" },
  { to: "/dashboard/settings", label: "Privacy settings" },
  { to: "/dashboard/billing", label: "Billing" },
  { to: "/dashboard/whatsapp", label: "WhatsApp" },
  { to: "/dashboard/privacy", label: "Your data" },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return { email: session.email, admin: isAdmin(env, session), appName: env.APP_NAME ?? "Botmara" };
}

export default function DashboardLayout({ loaderData }: Route.ComponentProps) {
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn />
      <div className="shell">
        <nav className="sidenav" aria-label="Dashboard">
          {sections.map((s) => (
            <NavLink key={s.to} to={s.to} end={s.end}>
              {s.label}
            </NavLink>
          ))}
          {loaderData.admin ? <NavLink to="/admin">Operators</NavLink> : null}
        </nav>
        <main className="content">
          <Outlet />
        </main>
      </div>
    </>
  );
}
