// Every table of the D1 database, one file per capability.
export * from "./accounts";
export * from "./alerts";
export * from "./billing";
export * from "./failures";
export * from "./incidents";
export * from "./keys";
export * from "./legal";
export * from "./notices";
export * from "./operators";
export * from "./privacy";
export * from "./promises";
export * from "./provider-keys";
export * from "./rate-limits";
export * from "./second-factors";
export * from "./settings";
export * from "./usage";
export * from "./whatsapp";
