import { expect } from "chai";
import { TokenKeys, type Principal } from "../../../../server/modules/auth/tokens";

/**
 * TokenKeys remembers the tokens it verified (a client sends the same one with every request):
 * what it remembers must never outlive the token or let another token through.
 */
describe("bearer tokens: remembered verdicts", function () {
  const audience = "sunshine-ledger:31337:test";
  const secret = "token-test-secret-".padEnd(40, "x");
  const issuedAt = new Date("2026-12-05T08:00:00Z");
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  const principal: Principal = {
    address: "0x" + "a".repeat(40),
    roles: ["hospital-receiver"],
    hospital: "0x" + "b".repeat(40),
    expiresAt: seconds(issuedAt) + 60,
  };

  it("refuses a remembered token from the second it expires, as on its first check", async function () {
    const keys = new TokenKeys(secret, [], audience);
    const token = await keys.issue(principal, issuedAt);
    expect(await keys.verify(token, issuedAt)).to.deep.equal(principal);
    const lastValid = new Date((principal.expiresAt - 1) * 1000);
    expect(await keys.verify(token, lastValid)).to.deep.equal(principal);
    const expiry = new Date(principal.expiresAt * 1000);
    expect(await keys.verify(token, expiry)).to.equal(null);
    // A fresh instance (nothing remembered) answers the same at the same instant.
    expect(await new TokenKeys(secret, [], audience).verify(token, expiry)).to.equal(null);
  });

  it("still checks every other spelling: a remembered token does not vouch for a tampered one", async function () {
    const keys = new TokenKeys(secret, [], audience);
    const token = await keys.issue(principal, issuedAt);
    expect(await keys.verify(token, issuedAt)).to.not.equal(null);
    const [header, body, mac] = token.split(".");
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    const promoted = Buffer.from(JSON.stringify({ ...claims, roles: ["regulator"] })).toString("base64url");
    expect(await keys.verify([header, promoted, mac].join("."), issuedAt)).to.equal(null);
    const flipped = mac.slice(0, -2) + (mac.at(-2) === "A" ? "B" : "A") + mac.at(-1);
    expect(await keys.verify([header, body, flipped].join("."), issuedAt)).to.equal(null);
  });

  it("hands each caller its own copy of a remembered principal", async function () {
    const keys = new TokenKeys(secret, [], audience);
    const token = await keys.issue(principal, issuedAt);
    const first = await keys.verify(token, issuedAt);
    first!.roles.push("regulator");
    expect(await keys.verify(token, issuedAt)).to.deep.equal(principal);
  });
});
