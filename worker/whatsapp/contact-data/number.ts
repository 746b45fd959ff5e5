// A contact's number as the business types it, normalised the way WhatsApp's `wa_id` carries it: E.164 digits,
// country code first, no "+" — so its keyed hash matches the one stored when the contact wrote to us.
import { z } from "@hono/zod-openapi";

/** Spaces, dashes, dots, slashes and brackets people put in numbers; nothing else is dropped. */
const SEPARATORS = /[\s\-./()]/g;

/** The number as WhatsApp's `wa_id`, or null when it cannot be one (letters, no country code, too short or long). */
function waIdOf(input: string): string | null {
  const compact = input.trim().replace(SEPARATORS, "");
  const digits = compact.startsWith("+")
    ? compact.slice(1)
    : compact.startsWith("00")
      ? compact.slice(2)
      : null;
  // Without "+" or "00" the number may lack its country code: accepted only as plain international digits.
  const candidate = digits ?? compact;
  if (!/^[1-9]\d{7,14}$/.test(candidate)) return null;
  return candidate;
}

/** The request field: a phone number with its country code, normalised to `wa_id` digits. */
export const ContactNumber = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const waId = waIdOf(value);
    if (waId === null) {
      ctx.addIssue({
        code: "custom",
        message:
          "Enter the number with its country code, e.g. +49 151 2345 6789 (8 to 15 digits, no letters).",
      });
      return z.NEVER;
    }
    return waId;
  })
  .openapi({
    description:
      "The contact's phone number with its country code (+49 151 2345 6789, 0049…, or 491512345678); it is normalised to WhatsApp's digits and only its keyed hash is used — it is never stored or logged",
    example: "+49 151 2345 6789",
  });
