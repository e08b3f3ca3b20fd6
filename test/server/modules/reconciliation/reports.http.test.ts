import { expect } from "chai";
import Fastify from "fastify";
import { sendCsv } from "../../../../server/modules/reconciliation/reports.http";

/** A CSV page names the next page in a Link header: the same request with the next cursor. */
describe("sendCsv", function () {
  const app = Fastify();
  app.get("/v1/report", async (request, reply) => {
    const { next } = request.query as { next?: string };
    return sendCsv(reply, "report", "a,b\r\n1,2\r\n", next ?? null);
  });
  after(() => app.close());

  it("links the next page, keeping the query and replacing the cursor", async function () {
    const res = await app.inject({ url: "/v1/report?limit=2&cursor=OLD&gtin=09520123456788&next=NEW" });
    expect(res.statusCode).to.equal(200);
    expect(res.headers.link).to.equal(
      '</v1/report?limit=2&cursor=NEW&gtin=09520123456788&next=NEW>; rel="next"',
    );
    expect(res.headers["content-disposition"]).to.equal('attachment; filename="report.csv"');
    expect(res.body).to.equal("a,b\r\n1,2\r\n");
  });

  it("has no link on the last page", async function () {
    const res = await app.inject({ url: "/v1/report?limit=2" });
    expect(res.statusCode).to.equal(200);
    expect(res.headers.link).to.equal(undefined);
  });
});
