import { expect } from "chai";
import { forEachEngine } from "../../helpers/engines";
import { login } from "../../support/gateway";
import { bearer, expectError, startApi, stopApi, type ApiStack } from "../../support/api-fixtures";

/**
 * Patient salt (issue 11, item 9). Before, a gateway with AUTH_SECRET but no PATIENT_REF_SALT
 * hashed patient references under a salt derived from the token key: whoever held the token key
 * could test guesses of a patient's reference against the hashes, and rotating the token key
 * silently changed every patient's hash. Now the usage API needs its own salt.
 */
forEachEngine((engine) => {
  let stack: ApiStack;

  before(async function () {
    this.timeout(180_000);
    // buildGateway sets AUTH_SECRET; an empty PATIENT_REF_SALT counts as unset.
    stack = await startApi(engine.db, { PATIENT_REF_SALT: "" });
  });
  after(() => stopApi(stack));

  it("answers 503 NOT_CONFIGURED without PATIENT_REF_SALT, even with AUTH_SECRET set", async function () {
    expect(stack.app.config.auth.secretGenerated).to.equal(false);
    const receiver = await login(stack.app, stack.chain.cast.receiver);
    const res = await stack.app.inject({
      method: "POST",
      url: "/v1/usages",
      headers: { ...bearer(receiver), "idempotency-key": "salt-1" },
      payload: {
        usageId: "U-1",
        gtin: "09520123456788",
        lot: "LOT2026A",
        department: "cardiology",
        patientRef: "MRN-1",
        usedAt: "2026-01-01T00:00:00Z",
        billingCode: "C-1",
        billedAmount: "100",
      },
    });
    expectError(res, 503, "NOT_CONFIGURED", "set PATIENT_REF_SALT so patient references can be hashed");
    const { rows } = await engine.db.query(`SELECT 1 FROM usages`);
    expect(rows).to.have.length(0);
  });
});
