// Starts the fakes of outside services on loopback and hands their URLs to the Worker's bindings.
import type { TestProject } from "vitest/node";
import { startFakes } from "../../fakes/index";

declare module "vitest" {
  export interface ProvidedContext {
    fakeVars: Record<string, string>;
    providerVars: Record<string, string>;
  }
}

export default async function setup(project: TestProject) {
  const fakes = await startFakes();
  project.provide("fakeVars", fakes.vars);
  project.provide("providerVars", fakes.providerVars);
  return () => fakes.close();
}
