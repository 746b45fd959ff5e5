// The top bar shared by public pages and the dashboard. On a phone the links fold into a <details> menu,
// which opens and closes without JavaScript.
import { Form, Link } from "react-router";

function Links({ signedIn }: { signedIn: boolean }) {
  return (
    <>
      <Link to="/models">Models</Link>
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
    </>
  );
}

export function SiteHeader({ appName, signedIn }: { appName: string; signedIn: boolean }) {
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        {appName}
      </Link>
      <nav aria-label="Site" className="wide-only">
        <Links signedIn={signedIn} />
      </nav>
      <details className="menu narrow-only">
        <summary>Menu</summary>
        <nav aria-label="Site" className="menu-panel">
          <Links signedIn={signedIn} />
        </nav>
      </details>
    </header>
  );
}
