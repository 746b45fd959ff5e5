// The Cloud API notification for one inbound text message, as Meta sends it: used by the dashboard's
// simulator and by scripts/whatsapp-simulate.ts (pure, so Node scripts can import it).

/** The notification Meta would send for one inbound text message. */
export function sampleNotification(phoneNumberId: string, from: string, text: string, id: string, at: Date) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "0",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550000000", phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: "Test customer" }, wa_id: from }],
              messages: [
                {
                  from,
                  id,
                  timestamp: String(Math.floor(at.getTime() / 1000)),
                  type: "text",
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}
