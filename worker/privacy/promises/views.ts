// The promise report's shape, declared once: the zod schema documents GET /api/privacy/promises, and the
// type the report returns (the same, plus the operators' pointers when asked) is derived from it.
import { z } from "@hono/zod-openapi";
import { promiseCheckStatuses } from "../../../db/schema";
import { IsoDate } from "../../openapi";

const Status = z.enum(promiseCheckStatuses);

const ReportCheck = z.object({
  id: z.string().openapi({ example: "p5.content_age" }),
  status: Status,
  summary: z.string(),
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  ranAt: IsoDate.nullable(),
  changedAt: IsoDate.nullable(),
});

/** The report around a given shape of check: the public one, or the operators' one with pointers. */
const reportOf = <C extends z.ZodType>(check: C) =>
  z.object({
    status: Status.openapi({ description: "The worst status of any promise" }),
    generatedAt: IsoDate,
    promises: z.array(
      z.object({
        id: z.string().openapi({ example: "P5" }),
        promise: z.string(),
        mechanism: z.string().openapi({ description: "How the system keeps it, in one sentence" }),
        config: z
          .record(z.string(), z.unknown())
          .openapi({ description: "The configuration values it depends on" }),
        status: Status,
        lastRunAt: IsoDate.nullable().openapi({
          description: "When the least recent of its checks last ran",
        }),
        checks: z.array(check),
      }),
    ),
  });

/** The public report: counts and configuration only. */
export const Report = reportOf(ReportCheck).openapi("PromiseReport");

/** Operator-only pointers (request ids, object keys) on a check; never on the public report. */
const OperatorReportCheck = ReportCheck.extend({ refs: z.array(z.string()).optional() });
const OperatorReport = reportOf(OperatorReportCheck);

export type ReportCheckView = z.infer<typeof OperatorReportCheck>;
export type PromiseReport = z.infer<typeof OperatorReport>;
