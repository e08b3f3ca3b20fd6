import { expect } from "chai";
import { gatewayErrorSentence } from "../../console/src/i18n/gateway-errors";

/**
 * The Chinese sentence for a gateway error code. The code is whatever the answering server put in
 * its body (a proxy in front of the gateway, say), so a name every object has is no code.
 */
describe("console: gateway error sentences", function () {
  it("words a code the gateway sends, in Chinese only", function () {
    expect(gatewayErrorSentence("RECEIPT_EXISTS", "zh"))
      .to.be.a("string")
      .and.match(/[\u4e00-\u9fff]/);
    expect(gatewayErrorSentence("RECEIPT_EXISTS", "en")).to.equal(null);
  });

  it("has no sentence for an object's own names", function () {
    for (const code of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(gatewayErrorSentence(code, "zh"), code).to.equal(null);
    }
  });
});
