// The model catalogue is data: a bad entry fails the build with its path. Run before `npm run build` and
// `npm run dev` (package.json) and by `npm start` before it builds (scripts/start.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import { checkCatalogue } from "../worker/ai/catalogue/schema";

const FILE = "worker/ai/catalogue/catalogue.json";

export function checkShippedCatalogue(): void {
  const root = path.resolve(import.meta.dirname, "..");
  checkCatalogue(JSON.parse(readFileSync(path.join(root, FILE), "utf8")), FILE);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  try {
    checkShippedCatalogue();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
