// Simulates WhatsApp customers against a running local server: posts Cloud API notifications signed with the
// connected account's app secret to /webhooks/whatsapp, then (with --graph, the fake Graph API's URL that
// `npm start -- --fakes` prints) waits for the replies and prints the conversation.
//
//   npx tsx scripts/whatsapp-simulate.ts --phone-number-id 123456789 --app-secret <secret> \
//     [--url http://localhost:8787] [--from 15551234567] [--graph http://127.0.0.1:PORT] "Hello" "Are you open?"
import { createHmac, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { sampleNotification } from "../worker/whatsapp/sample";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string", default: "http://localhost:8787" },
    "phone-number-id": { type: "string" },
    "app-secret": { type: "string" },
    from: { type: "string", default: "15551234567" },
    graph: { type: "string" },
    "timeout-ms": { type: "string", default: "15000" },
  },
});

const phoneNumberId = values["phone-number-id"];
const appSecret = values["app-secret"];
if (!phoneNumberId || !appSecret || positionals.length === 0) {
  console.error(
    'usage: tsx scripts/whatsapp-simulate.ts --phone-number-id ID --app-secret SECRET [--url URL] [--from NUMBER] [--graph FAKE_GRAPH_URL] "message" ...',
  );
  process.exit(2);
}

function notification(text: string, id: string) {
  return sampleNotification(phoneNumberId!, values.from!, text, id, new Date());
}

type Sent = { id: string; to: string; text: string };

async function repliesSoFar(): Promise<Sent[]> {
  if (!values.graph) return [];
  const res = await fetch(`${values.graph.replace(/\/+$/, "")}/__messages?phone_number_id=${phoneNumberId}`);
  return ((await res.json()) as { data: Sent[] }).data.filter((m) => m.to === values.from);
}

async function waitForReply(known: number): Promise<Sent | undefined> {
  const deadline = Date.now() + Number(values["timeout-ms"]);
  while (Date.now() < deadline) {
    const replies = await repliesSoFar();
    if (replies.length > known) return replies[known];
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

async function main() {
  for (const text of positionals) {
    const known = (await repliesSoFar()).length;
    const body = JSON.stringify(notification(text, `wamid.sim-${randomUUID()}`));
    const signature = `sha256=${createHmac("sha256", appSecret!).update(body).digest("hex")}`;
    const res = await fetch(`${values.url}/webhooks/whatsapp`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signature },
      body,
    });
    console.info(`customer ${values.from}: ${text}   (webhook answered ${res.status})`);
    if (!res.ok) {
      console.info(`  ${await res.text()}`);
      continue;
    }
    if (!values.graph) continue;
    const reply = await waitForReply(known);
    console.info(
      reply ? `business: ${reply.text}` : "business: (no reply yet — see the status on /dashboard/whatsapp)",
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
