// Expand/contract (docs/decisions/070-migrations-expand-contract.md): no migration drops or renames a table or
// column unless db/contract-migrations.json names the earlier release that stopped using it.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contractProblems, removals, repositoryInputs } from "../../scripts/preflight";

const root = path.resolve(import.meta.dirname, "../..");
const { migrations, contract, schemaSource } = repositoryInputs(root);

describe("migrations", () => {
  it("drop or rename only through a contract entry naming an earlier release, of what the schema no longer declares", () => {
    expect(migrations.flatMap((m) => contractProblems(m, contract, schemaSource))).toEqual([]);
  });

  it("list no contract entry for a migration that does not exist or removes nothing", () => {
    for (const name of Object.keys(contract)) {
      const migration = migrations.find((m) => m.name === name);
      expect(migration, `${name} is in db/contract-migrations.json but not in db/migrations`).toBeDefined();
      expect(removals(migration!.sql).length).toBeGreaterThan(0);
    }
  });

  it("grandfather only 0010, which dropped credit_holds before the policy existed", () => {
    const grandfathered = Object.entries(contract).filter(([, e]) => e.stoppedUsingIn === "grandfathered");
    expect(grandfathered.map(([name]) => name)).toEqual(["0010_billing_holds_in_durable_object.sql"]);
  });
});
