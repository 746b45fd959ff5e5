// Where the dashboard sends someone right after they asked to delete their account (already signed out).
import { Link } from "react-router";
import { z } from "zod";
import { formatDateTime } from "#worker/format";
import { SiteHeader } from "../components/SiteHeader";
import type { Route } from "./+types/account-deleted";

export const meta: Route.MetaFunction = () => [{ title: "Account deletion — Botmara" }];

export function loader({ request, context }: Route.LoaderArgs) {
  // Only shown back to the person who was redirected here; a forged value changes nothing but this text.
  const until = z.iso.datetime().safeParse(new URL(request.url).searchParams.get("until"));
  return {
    appName: context.cloudflare.env.APP_NAME ?? "Botmara",
    until: until.success ? until.data : null,
  };
}

export default function AccountDeleted({ loaderData }: Route.ComponentProps) {
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={false} />
      <main id="main" className="center-page">
        <div className="card narrow">
          <h1>Your account is being deleted</h1>
          <p role="status">
            You are signed out, and your API keys and sessions no longer work.
            {loaderData.until
              ? ` Erasure begins at ${formatDateTime(loaderData.until)}; until then you can cancel it with the link in the email we sent you.`
              : " Erasure has begun."}
          </p>
          <p>
            When it is complete we email you a signed receipt: what was erased, and what the law makes us
            keep, why and until when.
          </p>
          <p>
            <Link to="/">Back to the home page</Link>
          </p>
        </div>
      </main>
    </>
  );
}
