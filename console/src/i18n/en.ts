/**
 * The console's English text, by key. `zh.ts` must give every key (its type is this file's):
 * a missing translation is a compile error, not a blank on screen. `{name}` marks a value.
 */
import { en as allowance } from "../pages/allowance/messages";
import { en as fund } from "../pages/fund/messages";
import { en as hospital } from "../pages/hospital/messages";
import { en as regulatorReports } from "../pages/regulator/reports/messages";
import { en as regulator } from "../pages/regulator/messages";
import { en as departmentBudgets } from "../pages/budgets/messages";
import { en as ledgerBudgets } from "../pages/ledger-budgets/messages";
import { en as members } from "../pages/members/messages";
import { en as consignment } from "../pages/consignment/messages";
import { en as stock } from "../pages/stock/messages";
import { en as replenishment } from "../pages/replenishment/messages";
import { en as sunshine } from "../pages/sunshine/messages";
import { en as trail } from "../pages/regulator/trail/messages";
import { en as spend } from "../pages/spend/messages";
import { en as supplier } from "../pages/supplier/messages";
import { en as warehouse } from "../pages/warehouse/messages";
import { en as reasons } from "./reasons";
import { en as reasonSentences } from "./reason-sentences";

export const en = {
  ...supplier,
  ...hospital,
  ...warehouse,
  ...regulator,
  ...regulatorReports,
  ...trail,
  ...spend,
  ...departmentBudgets,
  ...ledgerBudgets,
  ...members,
  ...consignment,
  ...stock,
  ...replenishment,
  ...sunshine,
  ...reasons,
  ...reasonSentences,
  ...allowance,
  ...fund,
  "app.title": "Sunshine Ledger",
  "app.subtitle": "Medical consumables procurement ledger",
  "lang.switch": "中文",
  "session.signOut": "Sign out",
  "session.roles": "Roles",
  "session.noRole": "no role",
  "session.hospital": "Hospital",
  "signIn.title": "Sign in",
  "signIn.wallet": "Sign in with a browser wallet",
  "signIn.walletMissing":
    "No browser wallet found. Install one (an EIP-1193 wallet) or, on the demo chain, pick a demo account.",
  "signIn.demo": "Demo accounts (local development chain only)",
  "signIn.demoHint":
    "These keys are the local chain's public development keys: never offered on a real network.",
  "signIn.as": "Sign in as {name}",
  "signIn.signing": "Waiting for the signature…",
  "role.regulator": "Regulator",
  "role.supplier": "Supplier",
  "role.hospital-admin": "Hospital account",
  "role.hospital-approver": "Procurement approver",
  "role.hospital-receiver": "Warehouse",
  "role.hospital-settler": "Settler",
  "role.payer": "Insurance fund",
  "nav.home": "Home",
  "nav.supplier.documents": "My qualification",
  "nav.supplier.tenders": "Tenders and bids",
  "nav.supplier.agreements": "My agreements",
  "nav.supplier.orders": "Orders and shipments",
  "nav.supplier.payments": "My payments",
  "nav.hospital.approvals": "Orders to approve",
  "nav.hospital.orders": "Orders",
  "nav.hospital.exceptions": "Exceptions",
  "nav.hospital.payments": "Payments",
  "nav.hospital.fulfilment": "Commitments",
  "nav.warehouse.receive": "Receive goods",
  "nav.regulator.suppliers": "Supplier registry",
  "nav.regulator.tenders": "Tenders and awards",
  "nav.regulator.trail": "Trail explorer",
  "nav.regulator.reconciliation": "Reconciliation",
  "nav.regulator.recalls": "Recall exposure",
  "nav.regulator.overdue": "Overdue payments",
  "home.welcome": "Welcome, {address}",
  "home.pick": "Choose a task on the left.",
  "home.invitations": "Invitations to join a hospital",
  "home.invitation": "{hospital} invited this account on {date} as {roles}.",
  "home.invitation.memberElsewhere":
    "This account already acts for {hospital}: it can accept another hospital's invitation only after leaving that one.",
  "home.invitation.accept": "Accept and join {hospital}",
  "home.invitation.hint":
    "Accepting records your membership on the ledger; the console then signs you in again with your new roles (a browser wallet asks you to sign once more).",
  "home.noRole":
    "This account has no role on the ledger yet. A supplier registers; a hospital's staff are invited by their hospital.",
  "state.loading": "Loading…",
  "state.empty": "Nothing here yet.",
  "state.retry": "Retry",
  "list.more": "Load more",
  "error.other": "The request did not go through.",
  "act.sending": "Sending to the ledger…",
  "act.done": "Recorded on the ledger in block {block}.",
  "act.failed": "The ledger refused it.",
  "act.dropped":
    "Not recorded: the transaction was dropped before it reached a block. Nothing changed on the ledger; do it again.",
  "act.pending":
    "Sent, but not confirmed yet: it may still be recorded. Check in a minute before doing it again.",
  "act.noWallet": "No wallet in this browser: install a wallet extension to sign.",
  "act.rejected": "Not sent: the signature was declined in the wallet.",
  "act.signing": "Sign in your wallet…",
  "act.confirm": "Yes, do it",
  "act.noRecord": "The gateway does not hold shipment {id}'s record yet: try again in a minute.",
  "act.keep": "No",
  "act.errorCode": "For support: {code}",
  "common.listSeparator": ", ",
  "common.orderPaid.consigned": "into consignment: {used} paid on use, {held} held, {refunded} refunded",
  "common.actions": "Actions",
  "common.status": "Status",
  "common.id": "ID",
  "common.order": "Order",
  "common.all": "All",
  "common.amount": "Amount",
  "common.quantity": "Quantity",
  "common.hospital": "Hospital",
  "common.supplier": "Supplier",
  "common.category": "Category",
  "common.created": "Created",
  "common.download": "Download CSV",
  "common.cancel": "Cancel",
  "common.confirm": "Confirm",
  "common.tx": "Transaction",
  "payment.retrying": "The last attempt to pay failed on its way to the chain; the gateway tries again.",
  "hold.label.OPEN_EXCEPTION": "Open exception",
  "hold.label.SETTLEMENT_FAILED": "Settlement refused",
  "hold.label.LOT_RECALLED": "Lot recalled",
  "hold.label.SETTLEMENT_PENDING": "Queued",
  "hold.label.SETTLEMENT_SUBMITTED": "Sent",
  "hold.label.SETTLEMENT_NOT_INDEXED": "Confirmed, not read back",
  "hold.label.NO_SETTLEMENT_JOB": "Not queued",
  "hold.OPEN_EXCEPTION": "Open exception {ids} ({reasons}) waits for an approver's decision.",
  "hold.SETTLEMENT_FAILED": "The ledger refused the settlement: {error}",
  "hold.LOT_RECALLED": "A regulator's recall of the lot is in force since {at}.",
  "hold.LOT_RECALLED_SUPPLIER": "The supplier's recall of the lot is in force since {at}.",
  "hold.SETTLEMENT_PENDING": "The settlement is queued and not yet sent.",
  "hold.SETTLEMENT_SUBMITTED": "The settlement was sent (transaction {tx}) and is not yet confirmed.",
  "hold.SETTLEMENT_NOT_INDEXED":
    "The settlement's transaction {tx} is confirmed; the gateway has not read it back yet.",
  "hold.NO_SETTLEMENT_JOB": "No settlement has been queued for it.",
  "common.block": "Block",
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
