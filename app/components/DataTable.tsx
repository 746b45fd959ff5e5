// A table of records: its caption for screen readers, one row of column headings, and a line when it has no rows.
import type { ReactNode, TableHTMLAttributes } from "react";

/** A column heading; `{ hidden }` is read to screen readers only (a column of links, say). */
type Column = string | { hidden: string };

type Props = TableHTMLAttributes<HTMLTableElement> & {
  caption: ReactNode;
  columns: readonly Column[];
  /** Said across the whole table when given (pass it only when there are no rows). */
  empty?: ReactNode;
  "data-testid"?: string;
  children: ReactNode;
};

export function DataTable({ caption, columns, empty, children, ...table }: Props) {
  return (
    <table {...table}>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) =>
            typeof c === "string" ? (
              <th scope="col" key={c}>
                {c}
              </th>
            ) : (
              <th scope="col" key={c.hidden}>
                <span className="sr-only">{c.hidden}</span>
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>
        {empty ? (
          <tr>
            <td colSpan={columns.length} className="muted">
              {empty}
            </td>
          </tr>
        ) : null}
        {children}
      </tbody>
    </table>
  );
}
