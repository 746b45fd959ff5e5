// Every fake of an outside service, started together on loopback for tests, `npm start -- --fakes` and the bench.
export type Fakes = {
  urls: Record<string, string>;
  vars: Record<string, string>;
  close: () => Promise<void>;
};

export async function startFakes(): Promise<Fakes> {
  return { urls: {}, vars: {}, close: async () => {} };
}
