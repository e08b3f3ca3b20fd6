import { Type, type Static } from "typebox";
import { Nullable } from "./common";

/**
 * The operational endpoints (unauthenticated): GET /health (liveness), GET /ready (readiness
 * checks), GET /metrics (Prometheus text).
 */

const closed = { additionalProperties: false } as const;

export const Health = Type.Object(
  { status: Type.Enum(["ok"], { type: "string" }), uptimeSeconds: Type.Number() },
  closed,
);
export type Health = Static<typeof Health>;

/** Any check's outcome: a failing or timed-out check has only these two fields. */
const checkOutcome = {
  ok: Type.Boolean(),
  error: Type.Optional(Nullable(Type.String({ description: "why the check fails" }))),
};

export const DatabaseCheck = Type.Object(
  {
    ...checkOutcome,
    engine: Type.Optional(Type.Enum(["pglite", "postgres"], { type: "string" })),
    latencyMs: Type.Optional(Type.Integer()),
  },
  closed,
);
export type DatabaseCheck = Static<typeof DatabaseCheck>;

export const IndexerCheck = Type.Object(
  {
    ...checkOutcome,
    lagBlocks: Type.Optional(Nullable(Type.Integer({ description: "null until the chain head is known" }))),
    indexedTo: Type.Optional(Nullable(Type.Integer({ description: "the last indexed block" }))),
    head: Type.Optional(Nullable(Type.Integer({ description: "the chain head the indexer last saw" }))),
  },
  closed,
);
export type IndexerCheck = Static<typeof IndexerCheck>;

export const CheckOutcome = Type.Object(checkOutcome, closed);
export type CheckOutcome = Static<typeof CheckOutcome>;

export const Readiness = Type.Object(
  {
    status: Type.Enum(["ready", "not_ready"], { type: "string" }),
    checks: Type.Optional(
      Type.Object(
        { database: Type.Optional(DatabaseCheck), indexer: Type.Optional(IndexerCheck) },
        {
          additionalProperties: CheckOutcome,
          description:
            "one entry per registered check (operators only: from this host, or with X-Ops-Token); " +
            "a check's details beyond ok and error are listed here",
        },
      ),
    ),
  },
  closed,
);
export type Readiness = Static<typeof Readiness>;

/** GET /metrics answers text, not JSON: an OpenAPI response object rather than a schema. */
export const MetricsResponse = {
  description: "Prometheus text exposition format 0.0.4",
  content: { "text/plain": { schema: Type.String() } },
} as const;
