// How long an objection's text may be: the API's schema, the dashboard's form and its browser limits read it
// here (no server code, so the page's bundle may import it).
export const OBJECTION_LENGTH = { min: 10, max: 2000 } as const;
