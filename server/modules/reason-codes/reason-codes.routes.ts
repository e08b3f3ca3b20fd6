import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses } from "../../../api/errors";
import { ReasonCatalogue } from "../../../api/reason-codes";
import { REASON_LIST } from "../../../ledger/reasons";

/**
 * GET /v1/reason-codes: public, like the chain events whose numbers it explains — anyone who
 * reads a `reasonCode` off the ledger (an auditor with a plain Ethereum client, a sign-in page)
 * may read what it means. The catalogue is fixed in the build (ledger/reasons.ts).
 */
const reasonCodesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const catalogue: ReasonCatalogue = {
    items: REASON_LIST.map(({ code, key, label, acts }) => ({ code, key, label, acts: [...acts] })),
  };

  app.get(
    // The prefix itself: "/" would register and document the path with a trailing slash.
    "",
    {
      schema: {
        tags: ["reference"],
        summary:
          "The catalogue of the ledger's reason codes: each code's key, label and the acts that record it",
        response: { 200: ReasonCatalogue, ...errorResponses },
      },
    },
    async () => catalogue,
  );
};

export default reasonCodesRoutes;
