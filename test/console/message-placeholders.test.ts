import { expect } from "chai";
import { MESSAGES } from "../../console/src/i18n/translate";

/** Each message names the same values in English and Chinese: a `{name}` only one language has shows raw. */
describe("console: messages in both languages", function () {
  it("use the same placeholders in English and Chinese", function () {
    const names = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
    const differ = Object.keys(MESSAGES.en).filter((key) => {
      const k = key as keyof typeof MESSAGES.en;
      return names(MESSAGES.en[k]).join() !== names(MESSAGES.zh[k]).join();
    });
    expect(differ).to.deep.equal([]);
  });
});
