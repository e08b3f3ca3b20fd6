import { expect } from "chai";
import { Wallet } from "ethers";
import {
  BidFileError,
  bidFileProblem,
  readBidFile,
  sealBid,
} from "../../console/src/pages/supplier/sealed-bid";
import { translator } from "../../console/src/i18n/translate";

/**
 * A bid file uploaded to reveal a sealed bid: read back only when it is this tender's and this
 * bidder's and unedited; otherwise the supplier is told why in its language.
 */
describe("console: a bid file read back", function () {
  const bidder = Wallet.createRandom().address;
  const sealed = sealBid({ chainId: 31337, tenderHouse: Wallet.createRandom().address }, "7", bidder, [
    { threshold: "1", unitPrice: "75000" },
  ]);
  const zh = translator("zh");
  const why = (text: string) => {
    try {
      readBidFile(text, { tenderId: "7", bidder });
    } catch (error) {
      expect(error).to.be.instanceOf(BidFileError);
      return bidFileProblem(error as BidFileError, zh);
    }
    throw new Error("the file was read");
  };

  it("reads back this tender's and bidder's file", function () {
    expect(readBidFile(JSON.stringify(sealed), { tenderId: "7", bidder }).commitment).to.equal(
      sealed.commitment,
    );
  });

  it("says in Chinese why another file is not this bid's", function () {
    expect(why("{")).to.equal("文件不是 JSON 格式");
    expect(why(JSON.stringify({ tenderId: "7" }))).to.equal("文件不是投标文件");
    const other = Wallet.createRandom().address;
    expect(why(JSON.stringify({ ...sealed, bidder: other }))).to.equal(`文件属于投标人 ${other}`);
    expect(why(JSON.stringify({ ...sealed, tenderId: "8" }))).to.equal("文件属于招标 8");
    expect(why(JSON.stringify({ ...sealed, tiers: [{ threshold: "1", unitPrice: "70000" }] }))).to.equal(
      "文件中的报价档位和解密密钥与其密封值不符（是否被手工修改？）",
    );
  });
});
