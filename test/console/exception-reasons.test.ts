import { expect } from "chai";
import type { ExceptionReason } from "../../api/exceptions";
import { SENTENCES } from "../../console/src/i18n/chain-errors";
import { reasonLabel, reasonSentence } from "../../console/src/i18n/exception-reasons";
import { translator } from "../../console/src/i18n/translate";

/**
 * Why a receipt did not match, or a stocktake differed, in the reader's language: composed from
 * the figures the gateway sends with each reason (`details`), the campus by its name; a reason
 * stored before the figures were is shown by the gateway's English message.
 */
describe("console: exception reasons in the reader's language", function () {
  const zh = (r: ExceptionReason) => reasonSentence(r, "zh", translator("zh"), campusName);
  const en = (r: ExceptionReason) => reasonSentence(r, "en", translator("en"), campusName);
  const campusName = (gln: string) => (gln === "6901234000024" ? "东院区" : gln);

  it("states a line's mismatch and a short delivery from their figures", function () {
    const lot: ExceptionReason = {
      code: "LOT_MISMATCH",
      line: 4,
      message: "line 4: lot LOT2 is not the shipment's LOT1",
      details: { found: "LOT2", expected: "LOT1" },
    };
    expect(zh(lot)).to.equal("第 4 行：批号 LOT2 与发货的批号 LOT1 不符");
    expect(en(lot)).to.equal("Line 4: lot LOT2 is not the shipment's LOT1");
    const short: ExceptionReason = {
      code: "SHORT_DELIVERY",
      message: "received 8 of 10 shipped units, beyond the 2% tolerance",
      details: { received: 8, shipped: 10, tolerancePct: 2 },
    };
    expect(zh(short)).to.equal("发货 10 件，仅收到 8 件，短缺超出 2% 的容差");
    const serial: ExceptionReason = {
      code: "SERIAL_ALREADY_RECEIVED",
      line: 2,
      message: "line 2: serial SN5 was already received",
      details: { serial: "SN5" },
    };
    expect(zh(serial)).to.equal("第 2 行：序列号 SN5 此前已收货");
    expect(zh({ code: "EXCURSION_HOLD", message: "a temperature excursion …" })).to.equal(
      "该发货记录了温度偏离，尚无审批人豁免",
    );
  });

  it("shows a reason stored without its figures by the gateway's message", function () {
    const stored: ExceptionReason = {
      code: "SHORT_DELIVERY",
      message: "received 9 of 10 shipped units, beyond the 2% tolerance",
      details: { received: 9, shipped: 10 },
    };
    expect(zh(stored)).to.equal(stored.message);
  });

  it("shows a reason of a code newer than the console by its code and the gateway's message", function () {
    const newer = { code: "NEWER_CODE", message: "a newer gateway's reason" } as unknown as ExceptionReason;
    expect(zh(newer)).to.equal("a newer gateway's reason");
    expect(reasonLabel("NEWER_CODE", translator("zh"))).to.equal("NEWER_CODE");
    expect(reasonLabel("SHORT_DELIVERY", translator("zh"))).to.equal("少送");
  });

  it("names the stocktake's campus and counts the difference", function () {
    const details = {
      stocktakeId: "3",
      campus: "6901234000024",
      gtin: "09520123456788",
      lot: "DES2611A",
      expected: 5,
      counted: 3,
      received: "8",
      used: "3",
      returned: "0",
      transferredIn: "0",
      transferredOut: "0",
      serials: [],
    };
    expect(zh({ code: "STOCK_MISSING", message: "…", details })).to.equal(
      "东院区 批号 DES2611A（GTIN 09520123456788）盘亏 2 件：账面数 5 件，实盘数 3 件（使用未登记，或丢失）",
    );
    expect(en({ code: "STOCK_EXTRA", message: "…", details: { ...details, counted: 7 } })).to.equal(
      "2 unit(s) of lot DES2611A of GTIN 09520123456788 more at 东院区 than the records' 5 (received without a receipt)",
    );
  });

  it("words a settlement the ledger refused by its error", function () {
    const [name, sentence] = Object.entries(SENTENCES)[0];
    expect(zh({ code: "CHAIN_REVERT", error: name, message: `${name}()` })).to.equal(sentence.zh);
    expect(zh({ code: "CHAIN_REVERT", error: "NotAnError", message: "NotAnError()" })).to.equal(
      "NotAnError()",
    );
  });
});
