// Every fake of an outside service, started together on loopback for tests, `npm start -- --fakes` and the bench.
import { startFakeGraph } from "./graph";
import { startFakeMail } from "./mail";

export type Fakes = {
  urls: Record<string, string>;
  vars: Record<string, string>;
  close: () => Promise<void>;
};

export async function startFakes(): Promise<Fakes> {
  const graph = await startFakeGraph();
  const mail = await startFakeMail();
  return {
    urls: { graph: graph.url, mail: mail.url },
    // MAIL_TRANSPORT stays "local" unless asked; the fake lets the http transport be exercised.
    vars: {
      WHATSAPP_GRAPH_BASE_URL: graph.baseUrl,
      ALLOW_INSECURE_UPSTREAMS: "true",
      MAIL_API_URL: `${mail.url}/send`,
    },
    close: async () => {
      await graph.close();
      await mail.close();
    },
  };
}
