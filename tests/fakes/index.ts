// Every fake of an outside service, started together on loopback for tests, `npm start -- --fakes` and the bench.
import { startFakeMail } from "./mail";

export type Fakes = {
  urls: Record<string, string>;
  vars: Record<string, string>;
  close: () => Promise<void>;
};

export async function startFakes(): Promise<Fakes> {
  const mail = await startFakeMail();
  return {
    urls: { mail: mail.url },
    // MAIL_TRANSPORT stays "local" unless asked; the fake lets the http transport be exercised.
    vars: { MAIL_API_URL: `${mail.url}/send` },
    close: async () => {
      await mail.close();
    },
  };
}
