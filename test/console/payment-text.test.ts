import { expect } from "chai";
import type { PaymentHold } from "../../api/payments";
import { SENTENCES } from "../../console/src/i18n/chain-errors";
import { holdLabel, holdSentence, paymentErrorText } from "../../console/src/i18n/payment-text";
import { translator } from "../../console/src/i18n/translate";

/**
 * Why a payment is held or not yet made, in Chinese: a settlement the chain refused by its
 * error's sentence, an attempt being retried by saying so (the English message kept as detail),
 * an open exception's reasons by their labels (a code the console does not know yet, as it is),
 * each hold's tag by a label rather than its code.
 */
describe("console: payment holds and failures in the reader's language", function () {
  const t = translator("zh");
  const at = (iso: string) => iso.slice(0, 10);

  it("words an open exception's reasons and a refused settlement in Chinese", function () {
    expect(
      holdSentence(
        { code: "OPEN_EXCEPTION", exceptionIds: ["3", "5"], reasonCodes: ["SHORT_DELIVERY", "NEW_CODE"] },
        "zh",
        t,
        at,
      ),
    ).to.equal("未结异常 #3、#5（少送、NEW_CODE）等待审批人决定。");
    const [name, sentence] = Object.entries(SENTENCES)[0];
    expect(holdSentence({ code: "SETTLEMENT_FAILED", errorName: name }, "zh", t, at)).to.equal(
      `账本拒绝了结算：${sentence.zh}`,
    );
    expect(holdSentence({ code: "SETTLEMENT_FAILED", errorName: "Unknown" }, "zh", t, at)).to.equal(
      "账本拒绝了结算：Unknown",
    );
    expect(holdLabel({ code: "NO_SETTLEMENT_JOB" }, t)).to.equal("未排队");
    // A hold a newer gateway sends: its code, and no sentence, rather than a broken page.
    const newer = { code: "NEWER_HOLD" } as unknown as PaymentHold;
    expect([holdLabel(newer, t), holdSentence(newer, "zh", t, at)]).to.deep.equal(["NEWER_HOLD", ""]);
  });

  it("words why a payment is not made: refused by the ledger, or retried after a failed attempt", function () {
    const [name, sentence] = Object.entries(SENTENCES)[0];
    expect(paymentErrorText({ error: `${name}(shipmentId=1)`, errorName: name }, "zh", t)).to.deep.equal({
      text: `账本拒绝了结算：${sentence.zh}`,
      detail: `${name}(shipmentId=1)`,
    });
    expect(paymentErrorText({ error: "socket hang up", errorName: null }, "zh", t)).to.deep.equal({
      text: "上次付款在提交到链上时失败，网关将自动重试。",
      detail: "socket hang up",
    });
    expect(paymentErrorText({ error: null, errorName: null }, "zh", t)).to.equal(null);
  });
});
