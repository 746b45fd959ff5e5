// An ExecutionContext for work outside a request (the cron, a Durable Object's alarm): the gateway's waitUntil
// promises are collected and awaited before the work ends.

export function jobContext(): { ctx: ExecutionContext; drain: () => Promise<void> } {
  const waiting: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (promise: Promise<unknown>) => void waiting.push(promise),
    passThroughOnException: () => {},
    props: {},
  } as unknown as ExecutionContext;
  return { ctx, drain: async () => void (await Promise.allSettled(waiting)) };
}
