import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { openPglite, type Db } from "../../../server/db";
import { AppError, appError, ERROR_CATALOGUE, toErrorReply } from "../../../server/plugins/errors";
import { buildTestApp } from "../helpers/app";

describe("errors", function () {
  describe("the catalogue", function () {
    it("gives every code an error status", function () {
      for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
        expect(status, code).to.be.within(400, 599);
      }
    });

    it("builds AppErrors carrying their code's status", function () {
      const error = appError("ORDER_NOT_FOUND", "no order 7", { orderId: "7" });
      expect(error).to.be.instanceOf(AppError);
      expect(error).to.include({ code: "ORDER_NOT_FOUND", statusCode: 404, message: "no order 7" });
      expect(error.toBody()).to.deep.equal({
        error: "ORDER_NOT_FOUND",
        message: "no order 7",
        details: { orderId: "7" },
      });
      expect(appError("CONFLICT", "busy").toBody()).to.deep.equal({ error: "CONFLICT", message: "busy" });
    });

    it("keeps the error it stands for as its cause, out of the body", function () {
      const upstream = new Error("connect ECONNREFUSED http://node:8545/?key=secret");
      const error = appError("CHAIN_UNAVAILABLE", "the chain could not be read", undefined, {
        cause: upstream,
      });
      expect(error.cause).to.equal(upstream);
      expect(error.toBody()).to.deep.equal({
        error: "CHAIN_UNAVAILABLE",
        message: "the chain could not be read",
      });
    });
  });

  describe("toErrorReply", function () {
    it("hides anything that is not a known client error behind INTERNAL", function () {
      const internal = { status: 500, body: { error: "INTERNAL", message: "internal error" } };
      expect(toErrorReply(new Error("db password is hunter2"))).to.deep.equal(internal);
      expect(toErrorReply("thrown string")).to.deep.equal(internal);
      expect(
        toErrorReply(Object.assign(new Error("bug"), { code: "FST_ERR_X", statusCode: 500 })),
      ).to.deep.equal(internal);
    });

    it("keeps the status of an unlisted client error under BAD_REQUEST", function () {
      const rangeError = Object.assign(new Error("Range Not Satisfiable"), {
        code: "ERR_RANGE",
        statusCode: 416,
      });
      expect(toErrorReply(rangeError)).to.deep.equal({
        status: 416,
        body: { error: "BAD_REQUEST", message: "Range Not Satisfiable" },
      });
    });
  });

  describe("in the app", function () {
    let db: Db;
    let app: FastifyInstance;
    const logLines: string[] = [];

    before(async function () {
      db = await openPglite();
      app = buildTestApp(db, {
        env: { LOG_LEVEL: "info" },
        logStream: { write: (line) => logLines.push(line) },
      });
      app.post(
        "/orders/:id/lines",
        {
          bodyLimit: 256,
          schema: {
            params: { type: "object", properties: { id: { type: "integer", minimum: 1 } } },
            querystring: { type: "object", properties: { dryRun: { type: "boolean" } } },
            body: {
              type: "object",
              required: ["gtin", "lines"],
              additionalProperties: false,
              properties: {
                gtin: { type: "string", pattern: "^[0-9]{14}$" },
                unit: { type: "string", enum: ["box", "each"] },
                lines: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["quantity"],
                    properties: { quantity: { type: "integer", minimum: 1 } },
                  },
                },
              },
            },
          },
        },
        async () => ({ ok: true }),
      );
      app.get("/orders/:id", async () => {
        throw appError("ORDER_NOT_FOUND", "order 42 does not exist", { orderId: "42" });
      });
      app.get("/chain", async () => {
        throw appError("CHAIN_UNAVAILABLE", "the RPC endpoint does not answer");
      });
      app.get("/bug", async () => {
        throw new TypeError("cannot read properties of undefined (reading 'secret')");
      });
      app.get("/plugin-error", async () => {
        throw Object.assign(new Error("not yours"), { code: "PLUGIN_DENIED", statusCode: 403 });
      });
      app.register(async (scope) => {
        scope.addHook("onRequest", async () => {
          throw appError("UNAUTHORIZED", "a bearer token is required");
        });
        scope.get("/guarded", async () => ({ ok: true }));
      });
      await app.ready();
    });

    after(async function () {
      await app.close();
      await db.close();
    });

    const post = (payload: unknown, url = "/orders/1/lines") =>
      app.inject({ method: "POST", url, payload: payload as object });

    describe("on schema validation failures", function () {
      it("answers 400 naming the field and the rule", async function () {
        const res = await post({ gtin: "123", lines: [] });
        expect(res.statusCode).to.equal(400);
        expect(res.json()).to.deep.equal({
          error: "VALIDATION_FAILED",
          message: 'body.gtin must match pattern "^[0-9]{14}$"',
          details: { fields: [{ field: "body.gtin", message: 'must match pattern "^[0-9]{14}$"' }] },
        });
      });

      it("names a missing property, an array element, an enum's values and an unexpected property", async function () {
        const cases: [unknown, string][] = [
          [{ lines: [] }, "body.gtin is required"],
          [{ gtin: "12345678901234", lines: [{ quantity: 0 }] }, "body.lines[0].quantity must be >= 1"],
          [{ gtin: "12345678901234", lines: [], unit: "crate" }, 'body.unit must be one of "box", "each"'],
          [{ gtin: "12345678901234", lines: [], quantity: 3 }, "body.quantity is not allowed"],
        ];
        for (const [payload, message] of cases) {
          const res = await post(payload);
          expect(res.statusCode, message).to.equal(400);
          expect(res.json().message).to.equal(message);
        }
      });

      it("names path and query parameters by where they came from", async function () {
        const valid = { gtin: "12345678901234", lines: [] };
        expect((await post(valid, "/orders/abc/lines")).json().details).to.deep.equal({
          fields: [{ field: "params.id", message: "must be integer" }],
        });
        expect((await post(valid, "/orders/1/lines?dryRun=perhaps")).json().message).to.equal(
          "querystring.dryRun must be boolean",
        );
      });
    });

    describe("on bodies that cannot be read", function () {
      it("answers 400 INVALID_JSON for malformed or empty JSON", async function () {
        for (const payload of ['{"gtin":', ""]) {
          const res = await app.inject({
            method: "POST",
            url: "/orders/1/lines",
            payload,
            headers: { "content-type": "application/json" },
          });
          expect(res.statusCode).to.equal(400);
          expect(res.json().error).to.equal("INVALID_JSON");
        }
      });

      it("answers 413 PAYLOAD_TOO_LARGE beyond the body limit", async function () {
        const res = await post({ gtin: "12345678901234", lines: [], pad: "x".repeat(1000) });
        expect(res.statusCode).to.equal(413);
        expect(res.json()).to.deep.equal({
          error: "PAYLOAD_TOO_LARGE",
          message: "Request body is too large",
        });
      });

      it("answers 415 UNSUPPORTED_MEDIA_TYPE for a content type without a parser", async function () {
        const res = await app.inject({
          method: "POST",
          url: "/orders/1/lines",
          payload: "gtin,lines",
          headers: { "content-type": "text/csv" },
        });
        expect(res.statusCode).to.equal(415);
        expect(res.json().error).to.equal("UNSUPPORTED_MEDIA_TYPE");
      });
    });

    describe("on unknown routes and URLs", function () {
      it("answers 404 ROUTE_NOT_FOUND as JSON, without the query string", async function () {
        const res = await app.inject({ method: "DELETE", url: "/orders/1?token=abc" });
        expect(res.statusCode).to.equal(404);
        expect(res.headers["content-type"]).to.match(/^application\/json/);
        expect(res.json()).to.deep.equal({
          error: "ROUTE_NOT_FOUND",
          message: "no route for DELETE /orders/1",
        });
      });

      it("answers 400 for a URL that does not decode", async function () {
        const res = await app.inject({ method: "GET", url: "/orders/%E0%A4%A" });
        expect(res.statusCode).to.equal(400);
        expect(res.json().error).to.equal("BAD_REQUEST");
      });
    });

    describe("on errors thrown by handlers and hooks", function () {
      it("answers an AppError with its status, message and details", async function () {
        const res = await app.inject({ method: "GET", url: "/orders/42" });
        expect(res.statusCode).to.equal(404);
        expect(res.json()).to.deep.equal({
          error: "ORDER_NOT_FOUND",
          message: "order 42 does not exist",
          details: { orderId: "42" },
        });
        const unavailable = await app.inject({ method: "GET", url: "/chain" });
        expect(unavailable.statusCode).to.equal(503);
        expect(unavailable.json()).to.deep.equal({
          error: "CHAIN_UNAVAILABLE",
          message: "the RPC endpoint does not answer",
        });
      });

      it("answers an AppError thrown by a hook", async function () {
        const res = await app.inject({ method: "GET", url: "/guarded" });
        expect(res.statusCode).to.equal(401);
        expect(res.json()).to.deep.equal({ error: "UNAUTHORIZED", message: "a bearer token is required" });
      });

      it("keeps a plugin's client error status", async function () {
        const res = await app.inject({ method: "GET", url: "/plugin-error" });
        expect(res.statusCode).to.equal(403);
        expect(res.json()).to.deep.equal({ error: "FORBIDDEN", message: "not yours" });
      });

      it("answers a bug with a bare 500 and logs its cause", async function () {
        logLines.length = 0;
        const res = await app.inject({ method: "GET", url: "/bug" });
        expect(res.statusCode).to.equal(500);
        expect(res.json()).to.deep.equal({ error: "INTERNAL", message: "internal error" });
        expect(res.body).not.to.include("secret");
        const logged = logLines
          .map((line) => JSON.parse(line))
          .find((entry) => entry.msg === "request failed");
        expect(logged).to.include({ level: 50 });
        expect(logged.err).to.include({ type: "TypeError" });
        expect(logged.err.message).to.include("reading 'secret'");
      });
    });
  });
});
