import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { BudgetPage, ListBudgetsQuery } from "../../../api/budgets";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import { REGULATOR_OR_HOSPITAL, scopeOf } from "../auth/auth.plugin";
import { BudgetsRepository } from "./budgets.repository";

/**
 * /v1/budgets: a hospital's budgets per category and fiscal period, for its own accounts and for
 * regulators (a hospital's budget is its own business: suppliers do not see it).
 */
const budgetsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = new BudgetsRepository(app.db);

  app.get(
    // The prefix itself: "/" would register and document the path with a trailing slash.
    "",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["budgets"],
        summary:
          "Budgets per category and fiscal period with their adjustments (the caller's hospital's; all for a regulator)",
        querystring: ListBudgetsQuery,
        response: { 200: BudgetPage, ...errorResponses },
      },
    },
    // The caller's scope overrides a hospital filter outside it.
    async (request) => repo.list({ ...request.query, ...scopeOf(request) }),
  );
};

export default budgetsRoutes;
