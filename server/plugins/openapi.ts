import swagger, { type SwaggerOptions } from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { version } from "../../package.json";
import { bodyEdgeResponses, edgeResponses } from "../../api/errors";

type SwaggerTransform = NonNullable<Extract<SwaggerOptions, { transform?: unknown }>["transform"]>;

/**
 * The OpenAPI 3 document, generated from the route schemas registered after this plugin:
 * served at /openapi.json, browsable at /docs. Schemas added with `app.addSchema({ $id })`
 * appear under their `$id` in components.schemas (e.g. `ErrorBody`).
 */

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** Every operation also documents what the edge may answer before its handler runs. */
const withEdgeResponses: SwaggerTransform = ({ schema, url, route }) => {
  if (!schema || schema.hide) return { schema, url };
  const methods = [route.method].flat();
  const body = methods.some((m) => BODY_METHODS.has(m)) ? bodyEdgeResponses : {};
  const response = { ...edgeResponses, ...body, ...(schema.response as object | undefined) };
  return { schema: { ...schema, response }, url };
};

async function openapiPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Sunshine Ledger gateway",
        version,
        description:
          "A hospital's gateway to the Sunshine Ledger: indexed procurement data, goods receipts, " +
          "matching, settlement and the regulator's audit trail. Errors are `{ error, message, details? }` " +
          "with the codes listed in the ErrorBody schema.",
      },
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
    },
    transform: withEdgeResponses,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === "string" ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}

export default fp(openapiPlugin, { name: "openapi", fastify: "5.x", dependencies: ["errors"] });
