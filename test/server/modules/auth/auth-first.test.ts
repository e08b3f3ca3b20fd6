import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { forEachEngine } from "../../helpers/engines";
import { login } from "../../support/gateway";
import { bearer, expectError, startApi, stopApi, type ApiStack } from "../../support/api-fixtures";

/**
 * Authorisation before validation: who may call a route is checked before its input is, so a
 * stranger learns nothing of a route's schema from its 400s. Before this rule a request without
 * a token and with a malformed body answered 400 naming the fields it lacked.
 */

type Operation = { security?: unknown };
type OpenApi = { paths: Record<string, Record<string, Operation>> };

/** A malformed request to `method path`: path parameters that fit no pattern, a body and a query no schema allows. */
function malformed(method: string, path: string) {
  return {
    method: method.toUpperCase() as "GET" | "POST" | "PUT",
    url: `${path.replace(/\{[^}]+\}/g, "not%20an%20id")}?limit=-1&bogus=1`,
    ...(method === "get" ? {} : { payload: { bogus: true } }),
  };
}

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let secured: [string, string][];

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    app = stack.app;
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json<OpenApi>();
    secured = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.security !== undefined)
        .map(([method]): [string, string] => [method, path]),
    );
  });

  after(() => stopApi(stack));

  it("answers 401 to every signed-in route called without a token, whatever the input", async function () {
    expect(secured.length).to.be.greaterThan(20);
    for (const [method, path] of secured) {
      const res = await app.inject(malformed(method, path));
      expect(res.statusCode, `${method} ${path}: ${res.body}`).to.equal(401);
      expect(res.json().error, `${method} ${path}`).to.equal("UNAUTHORIZED");
    }
  });

  it("answers 403 to a caller without the role before reading its malformed body", async function () {
    const supplier = await login(app, stack.chain.cast.supplier);
    const headers = { ...bearer(supplier), "idempotency-key": "k" };
    expectError(
      await app.inject({ method: "POST", url: "/v1/receipts", headers, payload: { bogus: true } }),
      403,
      "FORBIDDEN",
      "this route needs one of the roles hospital-receiver",
    );
    expectError(
      await app.inject({ method: "POST", url: "/v1/exceptions/not-an-id/resolve", headers, payload: {} }),
      403,
      "FORBIDDEN",
    );
  });

  it("still validates the input of a caller who has the role", async function () {
    const receiver = await login(app, stack.chain.cast.receiver);
    const res = await app.inject({
      method: "POST",
      url: "/v1/receipts",
      headers: { ...bearer(receiver), "idempotency-key": "k" },
      payload: { bogus: true },
    });
    expectError(res, 400, "VALIDATION_FAILED");
  });
});
