import { claims, claimsRisk } from "./claims";
import type { GroupSpec } from "./command";
import { grantPayer } from "./fund";
import { publishHospitalName } from "./hospital-names";
import { enrolHospital, unbindMember } from "./membership";
import { pause, unpause } from "./pause";
import { attest, reject, supplierStatusCommand } from "./qualification";
import { liftRecall, recall } from "./recalls";
import { tenderCancel, tenderFinalize, tenderOpen } from "./tenders";
import { trail, verify } from "./trail";

/** The regulator's commands: qualification, tenders, hospitals, recalls, pausing and trails. */
export const regulatorGroup: GroupSpec = {
  name: "regulator",
  summary:
    "qualification decisions, supplier status, hospitals, the fund's payer, tenders, recalls, pausing, trails, claim audit",
  commands: [
    attest,
    reject,
    supplierStatusCommand("suspend"),
    supplierStatusCommand("reinstate"),
    enrolHospital,
    publishHospitalName,
    unbindMember,
    grantPayer,
    tenderOpen,
    tenderFinalize,
    tenderCancel,
    {
      ...recall,
      examples: [
        "sunshine regulator recall --gtin 09520123456788 --lot LOT2026A --reason field_safety_notice",
      ],
    },
    liftRecall,
    pause,
    unpause,
    trail,
    verify,
    claims,
    claimsRisk,
  ],
};
