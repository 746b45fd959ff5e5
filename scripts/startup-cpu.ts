// Prints the Worker's startup CPU time from `wrangler check startup`'s profile: says whether it is within our
// budget, and fails past the platform's limit (a sampling profile on a busy shared machine reads high).
// Usage: tsx scripts/startup-cpu.ts worker-startup.cpuprofile
import { readFileSync } from "node:fs";

/** Cloudflare refuses a Worker whose global scope takes more than 1 s of CPU to start; we keep well under it. */
const PLATFORM_LIMIT_MS = 1000;
const BUDGET_MS = 400;

type Profile = {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
};

const file = process.argv[2] ?? "worker-startup.cpuprofile";
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const names = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
// Time in samples that were not idle: the CPU the startup phase used.
const busyUs = profile.samples.reduce(
  (sum, id, i) => (names.get(id) === "(idle)" ? sum : sum + (profile.timeDeltas[i] ?? 0)),
  0,
);
const ms = Math.round(busyUs / 100) / 10;
console.info(
  `Startup CPU: ${ms} ms (profile span ${Math.round((profile.endTime - profile.startTime) / 1000)} ms; budget ${BUDGET_MS} ms, platform limit ${PLATFORM_LIMIT_MS} ms)`,
);
if (ms > PLATFORM_LIMIT_MS) {
  console.error(
    `Startup CPU ${ms} ms is over the platform's ${PLATFORM_LIMIT_MS} ms limit: the deploy would fail.`,
  );
  process.exit(1);
}
if (ms > BUDGET_MS)
  console.warn(`Over the ${BUDGET_MS} ms budget (measure again on a quiet machine before acting).`);
