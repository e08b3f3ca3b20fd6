import { expect } from "chai";
import { calendarDate, date, zoneName } from "../../console/src/lib/format";

/**
 * A lot's expiry is a calendar date: the console shows the day the label prints and the receipt
 * match compares (the UTC date of the ledger's instant), not that instant's day in the gateway's
 * time zone, which near midnight is a day off.
 */
describe("console: expiry as a calendar date", function () {
  it("reads the ledger's expiry instant as its UTC date in every time zone", function () {
    // Midnight UTC (how the supplier's form and the demo state an expiry): the day before in
    // a zone west of UTC.
    expect(date("2027-06-30T00:00:00.000Z", "America/Los_Angeles", "en")).to.equal("29/06/2027");
    expect(calendarDate("2027-06-30T00:00:00.000Z", "en")).to.equal("30/06/2027");
    // Late in the UTC day: already the next day in Shanghai.
    expect(date("2027-06-30T20:00:00.000Z", "Asia/Shanghai", "zh")).to.equal("2027/07/01");
    expect(calendarDate("2027-06-30T20:00:00.000Z", "zh")).to.equal("2027/06/30");
  });

  it("reads a scanned GS1 date (YYYY-MM-DD) as that date", function () {
    expect(calendarDate("2027-06-30", "en")).to.equal("30/06/2027");
    expect(calendarDate("2028-02-29", "zh")).to.equal("2028/02/29");
  });

  it("shows a missing expiry as a dash", function () {
    expect(calendarDate(null, "en")).to.equal("—");
    expect(calendarDate(undefined, "zh")).to.equal("—");
  });
});

describe("console: a report's time zone by name", function () {
  it("names the zone as its reader knows it, in either language, whatever the season", function () {
    expect(zoneName("Asia/Shanghai", "zh")).to.equal("中国标准时间");
    expect(zoneName("Asia/Shanghai", "en")).to.equal("China Standard Time");
    // A zone with summer time is named without the season, since a report's months span both.
    expect(zoneName("Europe/Berlin", "en")).to.equal("Central European Time");
  });
});
