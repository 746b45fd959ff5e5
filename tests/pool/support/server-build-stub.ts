// The dashboard's server build is not part of workerd unit tests (the e2e tests cover it); this stands in.
export const routes = {};
export const entry = { module: { default: () => new Response("dashboard stub", { status: 200 }) } };
export default {};
