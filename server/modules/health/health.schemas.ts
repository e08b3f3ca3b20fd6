/** Response schemas of the operational endpoints (plain JSON Schema; they feed the OpenAPI document). */

export const healthSchema = {
  type: "object",
  required: ["status", "uptimeSeconds"],
  properties: {
    status: { type: "string", enum: ["ok"] },
    uptimeSeconds: { type: "number" },
  },
} as const;

export const readinessSchema = {
  type: "object",
  required: ["status", "checks"],
  properties: {
    status: { type: "string", enum: ["ready", "not_ready"] },
    checks: {
      type: "object",
      description: "One entry per registered check, e.g. database, indexer",
      additionalProperties: {
        type: "object",
        required: ["ok"],
        properties: { ok: { type: "boolean" }, error: { type: "string" } },
        additionalProperties: true,
      },
    },
  },
} as const;

export const metricsSchema = {
  description: "Prometheus text exposition format 0.0.4",
  content: { "text/plain": { schema: { type: "string" } } },
} as const;
