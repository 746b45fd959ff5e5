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

  it("take drizzle's table rebuild (rows copied into __new_X, X dropped, __new_X renamed to X) as no removal", () => {
    const rebuild = [
      "CREATE TABLE `__new_t` (`id` text PRIMARY KEY NOT NULL, `a` text);",
      'INSERT INTO `__new_t`("id", "a") SELECT "id", "a" FROM `t`;',
      "DROP TABLE `t`;",
      "ALTER TABLE `__new_t` RENAME TO `t`;",
    ].join("--> statement-breakpoint\n");
    expect(removals(rebuild)).toEqual([]);
    // A column dropped beside the rebuild is still found; a drop without the copy is still a drop.
    expect(removals(`${rebuild}\nALTER TABLE \`u\` DROP COLUMN \`b\`;`)).toEqual([
      { kind: "drops column", name: "u.b" },
    ]);
    expect(removals(rebuild.replace(/INSERT[^;]*;/, ""))).toEqual([
      { kind: "drops table", name: "t" },
      { kind: "renames", name: "__new_t" },
    ]);
  });
});
