// How long a password may be: at least `min` characters when one is chosen, at most `max` whenever one is sent.
// The API's schemas and the dashboard's forms both read it (no dependencies, so pages can import it).
export const PASSWORD_LENGTH = { min: 10, max: 256 } as const;
