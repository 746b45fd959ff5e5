// The request-body validation's CPU (issue 26, ADR 026), in this Node process (the same V8 as workerd): for the
// benchmark's small chat request and a 200-message conversation, the JSON parse, zod as the gateway ran it
// (`safeParseAsync`, as hono's validator calls it — an async parse never takes zod's compiled fast path, which
// workerd would refuse anyway: it forbids `new Function`), and the predicate compiled from the same schema
// (worker/ai/validation/fits.ts) that now decides the common case.
// `npx tsx bench/validation-cpu.ts [rounds]`; `npm run bench` prints it too.
import { ChatRequest } from "../worker/ai/schemas";
import { compileFits } from "../worker/ai/validation/fits";
import { longChatBody, smallChatBody } from "./bodies";

export type ValidationFigures = Record<
  "small" | "long",
  { bytes: number; parseUs: number; zodUs: number; fitsUs: number }
>;

/** CPU per call, µs: the median of `rounds` rounds of `times` calls (interleaved by the caller). */
async function perCall(work: () => unknown, times: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < times; i++) await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function validationCpu(rounds = 9): Promise<ValidationFigures> {
  const fits = compileFits(ChatRequest);
  const out = {} as ValidationFigures;
  for (const [name, body, times] of [
    ["small", smallChatBody(), 20_000],
    ["long", longChatBody(), 40],
  ] as const) {
    const text = JSON.stringify(body);
    const parsed = JSON.parse(text);
    if (!fits(parsed) || !(await ChatRequest.safeParseAsync(parsed)).success)
      throw new Error(`the ${name} body does not validate`);
    const runs = { parseUs: [] as number[], zodUs: [] as number[], fitsUs: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      runs.parseUs.push(await perCall(() => JSON.parse(text), times));
      runs.zodUs.push(await perCall(() => ChatRequest.safeParseAsync(parsed), times));
      runs.fitsUs.push(await perCall(() => fits(parsed), times));
    }
    const round = (n: number) => Number(n.toFixed(2));
    out[name] = {
      bytes: text.length,
      parseUs: round(median(runs.parseUs)),
      zodUs: round(median(runs.zodUs)),
      fitsUs: round(median(runs.fitsUs)),
    };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  validationCpu(Number(process.argv[2] ?? 9)).then((figures) => console.info(figures));
}
