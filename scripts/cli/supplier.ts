import { allowanceCommands } from "./allowance";
import type { GroupSpec } from "./command";
import { addDocument, register, registerProducts } from "./qualification";
import { bidCommit, bidReveal, withdrawBond } from "./bids";
import { agreeCancel, consentExcess } from "./orders";
import { recall } from "./recalls";
import { claimSettlement } from "./settlement";
import {
  consignmentBatches,
  consignmentConfirmReturn,
  consignmentOffer,
  consignmentRefuseReturn,
  consignmentReturn,
  consignmentStock,
} from "./consignment";
import { manifest, setCarrier, ship, trace } from "./shipments";
import { declareDevice } from "./device-identifiers";

/** The supplier's commands, from registration to being paid. */
export const supplierGroup: GroupSpec = {
  name: "supplier",
  summary: "register, qualify, allow bonds and bid, ship, trace, recall and claim payment",
  commands: [
    register,
    addDocument,
    registerProducts,
    ...allowanceCommands("tenders", "supplier"),
    bidCommit,
    bidReveal,
    withdrawBond,
    consentExcess,
    agreeCancel,
    ship,
    manifest,
    trace,
    setCarrier,
    recall,
    claimSettlement,
    consignmentOffer,
    {
      ...consignmentReturn,
      examples: ["sunshine supplier consignment return --shipment 9 --units 4 --reason unused_at_term_end"],
    },
    consignmentConfirmReturn,
    consignmentRefuseReturn,
    consignmentStock,
    consignmentBatches,
    declareDevice,
  ],
};
