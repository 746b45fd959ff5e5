// The breach clock: an incident is recorded with its detection time and a 72-hour deadline for the authority
// notice (Art. 33); each later step (authority notified, customers notified, closed) is a new row. Nothing is
// ever updated; every step is also in the operator audit.
import { asc, desc, eq } from "drizzle-orm";
import { incidentEvents, type incidentSteps, incidents } from "../../../db/schema";
import { getDb } from "../../db";
import { badRequest, conflict, notFound } from "../../errors";
import { type Operator, recordOperatorAction } from "../../operators/audit";
import { breachDueDate } from "../rights-requests/clock";
import { incidentHolders } from "./affected";

export type IncidentStep = (typeof incidentSteps)[number];

export type IncidentInput = { title: string; detectedAt: Date; description: string; holders: string[] };

export type Incident = {
  id: string;
  title: string;
  detectedAt: Date;
  dueAt: Date;
  description: string;
  holders: string[];
  recordedAt: Date;
  recordedBy: string;
  steps: { step: IncidentStep; at: Date; operatorEmail: string; detail: Record<string, unknown> | null }[];
};

export async function recordIncident(
  env: Env,
  operator: Operator,
  input: IncidentInput,
  now = new Date(),
): Promise<string> {
  if (input.detectedAt.getTime() > now.getTime())
    throw badRequest("The detection time cannot be in the future.", "detectedAt");
  const known = new Set(incidentHolders());
  const unknown = input.holders.filter((h) => !known.has(h));
  if (unknown.length || input.holders.length === 0)
    throw badRequest("Choose the data concerned from the list.", "holders");
  const db = getDb(env.DB);
  const id = crypto.randomUUID();
  await db.insert(incidents).values({
    id,
    title: input.title,
    detectedAt: input.detectedAt,
    dueAt: breachDueDate(input.detectedAt),
    description: input.description,
    holders: JSON.stringify(input.holders),
    recordedAt: now,
    recordedBy: operator.email,
  });
  await recordOperatorAction(
    db,
    operator,
    { action: "incident.recorded", target: id, detail: { holders: input.holders } },
    now,
  );
  return id;
}

export async function listIncidents(env: Env): Promise<Incident[]> {
  const db = getDb(env.DB);
  const rows = await db.select().from(incidents).orderBy(desc(incidents.detectedAt)).limit(50);
  const out: Incident[] = [];
  for (const r of rows) {
    const steps = await db
      .select()
      .from(incidentEvents)
      .where(eq(incidentEvents.incidentId, r.id))
      .orderBy(asc(incidentEvents.at));
    out.push({
      ...r,
      holders: JSON.parse(r.holders) as string[],
      steps: steps.map((s) => ({
        step: s.step,
        at: s.at,
        operatorEmail: s.operatorEmail,
        detail: s.detail ? (JSON.parse(s.detail) as Record<string, unknown>) : null,
      })),
    });
  }
  return out;
}

export async function findIncident(env: Env, id: string): Promise<Incident> {
  const found = (await listIncidents(env)).find((i) => i.id === id);
  if (!found) throw notFound("Incident");
  return found;
}

/** Records one step, once: a second "authority notified" or a step after "closed" is a 409. */
export async function addStep(
  env: Env,
  operator: Operator,
  id: string,
  step: IncidentStep,
  detail: Record<string, unknown> = {},
  now = new Date(),
): Promise<void> {
  const incident = await findIncident(env, id);
  if (incident.steps.some((s) => s.step === step || s.step === "closed"))
    throw conflict(`This incident already has "${step.replace("_", " ")}" recorded, or is closed.`);
  const db = getDb(env.DB);
  await db.insert(incidentEvents).values({
    id: crypto.randomUUID(),
    incidentId: id,
    step,
    at: now,
    operatorEmail: operator.email,
    detail: JSON.stringify(detail),
  });
  await recordOperatorAction(db, operator, { action: `incident.${step}`, target: id, detail }, now);
}
