// Every table of the D1 database, one file per capability.
export * from "./accounts";
export * from "./keys";
export * from "./rate-limits";
export * from "./usage";
export * from "./notices";
export * from "./billing";
export * from "./settings";
export * from "./whatsapp";
export * from "./privacy";
