// The top bar shared by public pages and the dashboard.
import { Form, Link } from "react-router";

export function SiteHeader({ appName, signedIn }: { appName: string; signedIn: boolean }) {
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        {appName}
      </Link>
      <nav aria-label="Site">
        <Link to="/privacy">Privacy</Link>
        {signedIn ? (
          <>
            <Link to="/dashboard">Dashboard</Link>
            <Form method="post" action="/logout">
              <button type="submit" className="secondary">
                Log out
              </button>
            </Form>
          </>
        ) : (
          <>
            <Link to="/login">Log in</Link>
            <Link to="/signup" className="button">
              Sign up
            </Link>
          </>
        )}
      </nav>
    </header>
  );
}
