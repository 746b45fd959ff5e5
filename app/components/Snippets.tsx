// Code snippets, each under its heading with a copy button (the button works once the page is interactive;
// without JavaScript the code is there to select).
import type { Snippet } from "../lib/snippets";
import { CopyButton } from "./CopyButton";

export function Snippets({ snippets, level = 3 }: { snippets: Snippet[]; level?: 3 | 4 }) {
  const Heading = level === 3 ? "h3" : "h4";
  return (
    <>
      {snippets.map((s) => (
        <div key={s.id} className="snippet">
          <div className="snippet-head">
            <Heading>{s.title}</Heading>
            <CopyButton
              value={s.code}
              label={`Copy ${s.id === "curl" ? "curl" : s.id === "python" ? "Python" : "TypeScript"}`}
            />
          </div>
          <pre className="code-block" data-testid={`snippet-${s.id}`}>
            {s.code}
          </pre>
        </div>
      ))}
    </>
  );
}
