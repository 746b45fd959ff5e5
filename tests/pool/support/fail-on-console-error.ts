// Setup file of the workerd tests: a test that logs an undeclared console.error fails (see console-errors.ts).
import { failOnConsoleErrors } from "./console-errors";

failOnConsoleErrors();
