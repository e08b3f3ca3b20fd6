import { allowanceCommands } from "./allowance";
import type { GroupSpec } from "./command";
import { exceptions, receipt, resolve, usage } from "./back-office";
import { departmentBudgets, departmentBudgetSet } from "./department-budgets";
import { hospitalFundStatement } from "./fund";
import { publishHospitalName } from "./hospital-names";
import { budgetConfirm, budgetPropose, budgetSet, budgetShow, budgetWithdraw } from "./budgets";
import {
  consignmentBatches,
  consignmentConfirmReturn,
  consignmentElect,
  consignmentReturn,
  consignmentStock,
} from "./consignment";
import { campusAdd, campuses, stock, stockHolders, stockSuggestions, transfer } from "./stock";
import { stocktake, stocktakes } from "./stocktake";
import {
  acceptMembership,
  invitations,
  leaveHospital,
  members,
  nameMember,
  setMember,
  setThreshold,
} from "./membership";
import { allowLateShipment, orderApprove, orderCancel, orderPermit, orderPlace } from "./orders";
import { confirm, disputeShipment, waiveExcursion, withdrawRefund } from "./settlement";
import { trace } from "./shipments";
import { claimForfeit } from "./tenders";
import { replenishmentCommands } from "./replenishment";

/** The hospital's commands: its account, its members, its orders and its back office. */
export const hospitalGroup: GroupSpec = {
  name: "hospital",
  summary:
    "members, the escrow allowance, budgets, orders, receipts, settlement, usage records, exceptions, department budgets, consignment, campuses, stock, replenishment and the fund's statement",
  commands: [
    setMember,
    members,
    nameMember,
    hospitalFundStatement,
    invitations,
    acceptMembership,
    leaveHospital,
    setThreshold,
    {
      ...publishHospitalName,
      examples: ['sunshine hospital publish-hospital-name --name "City General Hospital"'],
    },
    ...allowanceCommands("orderBook", "hospital"),
    budgetSet,
    budgetPropose,
    budgetConfirm,
    budgetWithdraw,
    budgetShow,
    orderPlace,
    orderPermit,
    orderApprove,
    orderCancel,
    allowLateShipment,
    {
      ...trace,
      examples: ["sunshine hospital trace --shipment 4 --step receiving --location 6901234000024"],
    },
    receipt,
    waiveExcursion,
    disputeShipment,
    confirm,
    withdrawRefund,
    claimForfeit,
    usage,
    exceptions,
    resolve,
    departmentBudgetSet,
    departmentBudgets,
    consignmentElect,
    consignmentReturn,
    {
      ...consignmentConfirmReturn,
      examples: ["sunshine hospital consignment confirm-return --shipment 9"],
    },
    consignmentStock,
    consignmentBatches,
    campusAdd,
    campuses,
    stock,
    stockHolders,
    stockSuggestions,
    transfer,
    stocktake,
    stocktakes,
    ...replenishmentCommands,
  ],
};
