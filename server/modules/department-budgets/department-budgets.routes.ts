import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { requestLedgerNow } from "../../plugins/chain";
import { appError } from "../../plugins/error-catalogue";
import { HOSPITAL_ROLES, hospitalOf, principalOf } from "../auth/auth.plugin";
import { bearer } from "../../../api/common";
import { jsonOrCsv } from "../../../api/csv";
import { errorResponses } from "../../../api/errors";
import {
  DepartmentBudgetRow,
  DepartmentBudgetsQuery,
  DepartmentBudgetsReport,
  OverspendQuery,
  OverspendReport,
  SetDepartmentBudgetRequest,
} from "../../../api/department-budgets";
import { toCsv } from "../reconciliation/reconciliation.csv";
import { sendCsv, wantsCsv } from "../reconciliation/reports.http";
import { OVERSPEND_COLUMNS } from "./department-budgets.csv";
import { DepartmentBudgetsService } from "./department-budgets.service";

/**
 * /v1/department-budgets: a hospital's budgets per department × category × month against what
 * each department consumed. Departments are internal to a hospital, so only its own staff see
 * them — no regulator, no supplier, no other hospital. Its account and its approvers set them:
 * they already hold its spending authority (approvers approve its orders). The overspend report
 * lists cases (a patient's salted-hash prefix), so settlers — who pay suppliers and need no
 * patient-level records, as with /v1/usages — do not read it.
 */
const BUDGET_SETTERS = ["hospital-admin", "hospital-approver"] as const;
const CASE_READERS = ["hospital-admin", "hospital-approver", "hospital-receiver"] as const;

/** The caller's hospital; naming another is refused, as every report does. */
function ownScope(request: FastifyRequest, asked?: string): string {
  const own = hospitalOf(request);
  if (asked && asked.toLowerCase() !== own)
    throw appError(
      "NOT_YOUR_HOSPITAL",
      `department budgets are internal to a hospital: you may read ${own}'s only`,
    );
  return own;
}

const departmentBudgetsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = async (request: object) => {
    // A write's at the block its role check read; a read's from its own read of the head.
    const now = await requestLedgerNow(app.chain, request);
    return new DepartmentBudgetsService(app.db, app.config.console.timeZone, () => now);
  };

  // "" and not "/": the collection is /v1/department-budgets, without a trailing-slash twin.
  app.get(
    "",
    {
      onRequest: app.requireRole(...HOSPITAL_ROLES),
      schema: {
        security: bearer,
        tags: ["department budgets"],
        summary:
          "The caller's hospital's budgets per month × department × category, beside consumption and status",
        querystring: DepartmentBudgetsQuery,
        response: { 200: DepartmentBudgetsReport, ...errorResponses },
      },
    },
    async (request) => {
      const { hospital, ...q } = request.query;
      return (await service(request)).report(ownScope(request, hospital), q);
    },
  );

  app.put(
    "",
    {
      onRequest: app.requireRole(...BUDGET_SETTERS),
      schema: {
        security: bearer,
        tags: ["department budgets"],
        summary: "Set (or replace) one department's budget for a category and month",
        body: SetDepartmentBudgetRequest,
        response: { 200: DepartmentBudgetRow, ...errorResponses },
      },
    },
    async (request) =>
      (await service(request)).set(
        hospitalOf(request),
        principalOf(request).address.toLowerCase(),
        request.body,
      ),
  );

  app.get(
    "/overspend",
    {
      onRequest: app.requireRole(...CASE_READERS),
      schema: {
        security: bearer,
        tags: ["department budgets", "reports"],
        summary: "The cases behind a department's consumption of a category in a month, largest first",
        querystring: OverspendQuery,
        response: { 200: jsonOrCsv(OverspendReport, "the overspend report"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { hospital, limit, ...q } = request.query;
      const report = await (
        await service(request)
      ).overspend(ownScope(request, hospital), { ...q, limit: limit! });
      if (wantsCsv(request))
        return sendCsv(
          reply,
          "department-overspend",
          toCsv(report.items, OVERSPEND_COLUMNS),
          report.nextCursor,
        );
      return report;
    },
  );
};

export default departmentBudgetsRoutes;
