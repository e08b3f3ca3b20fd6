import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { devWallet } from "../anvil";

/**
 * The demo cast of `npm start`: who is who among the 22 development accounts of Anvil's
 * well-known mnemonic (DEV_MNEMONIC). One table, used by the stack (deployment, settler and
 * relayer keys, accounts.json) and by the demo scenario (who registers, bids, orders, receives, settles).
 *
 * | index | role in accounts.json | account                                                     |
 * |-------|-----------------------|-------------------------------------------------------------|
 * | 0     | —                     | ledger admin: deploys, holds DEFAULT_ADMIN/PAUSER, mints the test token |
 * | 1     | regulator             | Provincial Medical Products Administration (REGULATOR_ROLE) |
 * | 2     | supplier              | Acme Medical Devices                                        |
 * | 3     | supplier              | Boreal Orthopaedics                                         |
 * | 4     | supplier              | Cardia Vascular                                             |
 * | 5     | supplier              | Delta Diagnostics                                           |
 * | 6     | hospital-admin        | City General Hospital: the hospital account (admin, buyer)  |
 * | 7     | hospital-approver     | City General Hospital, approver 1                           |
 * | 8     | hospital-approver     | City General Hospital, approver 2                           |
 * | 9     | hospital-receiver     | City General Hospital, receiving dock                       |
 * | 10    | hospital-settler      | City General Hospital, settler = the gateway's SETTLER_KEY  |
 * | 11    | hospital-admin        | Children's Hospital: the hospital account (admin, buyer)    |
 * | 12    | hospital-approver     | Children's Hospital, approver 1                             |
 * | 13    | hospital-approver     | Children's Hospital, approver 2                             |
 * | 14    | hospital-receiver     | Children's Hospital, receiving dock                         |
 * | 15    | hospital-admin        | Riverside Hospital: the hospital account (admin, buyer)     |
 * | 16    | hospital-approver     | Riverside Hospital, approver 1                              |
 * | 17    | hospital-approver     | Riverside Hospital, approver 2                              |
 * | 18    | hospital-receiver     | Riverside Hospital, receiving dock                          |
 * | 19    | —                     | spare: an account with no role (a stranger)                 |
 * | 20    | —                     | the gateway's relayer (RELAYER_PRIVATE_KEY): pays relayed gas |
 * | 21    | payer                 | Provincial Medical Insurance Fund (PAYER_ROLE, granted by the regulator) |
 *
 * accounts.json lists the accounts with a role a person signs in as: the regulator, the
 * suppliers, the insurance fund, and each hospital's account (hospital-admin: it places orders, sets members and
 * gives the order book the allowance its orders are funded from) and members. A hospital
 * account cannot also be one of its own members (HospitalRegistry), so it is an account of its
 * own. The ledger admin, the spare account and the relayer are in the cast but not in
 * accounts.json. The gateway holds one settler key, City General Hospital's: it is the
 * hospital this demo gateway serves. The relayer has a key of its own and no role on the
 * ledger: relayed acts spend its balance and nonces, never the settler's.
 */

export const ACCOUNT_ROLES = [
  "regulator",
  "supplier",
  "hospital-admin",
  "hospital-approver",
  "hospital-receiver",
  "hospital-settler",
  "payer",
] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** Roles of cast members that are not written to accounts.json. */
export type CastRole = AccountRole | "admin" | "spare" | "relayer";

export interface CastEntry {
  index: number;
  role: CastRole;
  name: string;
  /** For a hospital's members: the dev-wallet index of the hospital account. */
  hospital?: number;
}

const GENERAL = "City General Hospital";
const CHILDRENS = "Children's Hospital";
const RIVERSIDE = "Riverside Hospital";

/** The table above, as data. */
export const CAST: readonly CastEntry[] = [
  { index: 0, role: "admin", name: "Ledger admin (deployer)" },
  { index: 1, role: "regulator", name: "Provincial Medical Products Administration" },
  { index: 2, role: "supplier", name: "Acme Medical Devices" },
  { index: 3, role: "supplier", name: "Boreal Orthopaedics" },
  { index: 4, role: "supplier", name: "Cardia Vascular" },
  { index: 5, role: "supplier", name: "Delta Diagnostics" },
  { index: 6, role: "hospital-admin", name: GENERAL },
  { index: 7, role: "hospital-approver", name: `${GENERAL}, approver 1`, hospital: 6 },
  { index: 8, role: "hospital-approver", name: `${GENERAL}, approver 2`, hospital: 6 },
  { index: 9, role: "hospital-receiver", name: `${GENERAL}, receiving dock`, hospital: 6 },
  { index: 10, role: "hospital-settler", name: `${GENERAL}, settler (gateway)`, hospital: 6 },
  { index: 11, role: "hospital-admin", name: CHILDRENS },
  { index: 12, role: "hospital-approver", name: `${CHILDRENS}, approver 1`, hospital: 11 },
  { index: 13, role: "hospital-approver", name: `${CHILDRENS}, approver 2`, hospital: 11 },
  { index: 14, role: "hospital-receiver", name: `${CHILDRENS}, receiving dock`, hospital: 11 },
  { index: 15, role: "hospital-admin", name: RIVERSIDE },
  { index: 16, role: "hospital-approver", name: `${RIVERSIDE}, approver 1`, hospital: 15 },
  { index: 17, role: "hospital-approver", name: `${RIVERSIDE}, approver 2`, hospital: 15 },
  { index: 18, role: "hospital-receiver", name: `${RIVERSIDE}, receiving dock`, hospital: 15 },
  { index: 19, role: "spare", name: "Spare account (no role)" },
  { index: 20, role: "relayer", name: "Gateway relayer (pays the gas of relayed acts)" },
  { index: 21, role: "payer", name: "Provincial Medical Insurance Fund" },
];

/** Dev-wallet indexes the stack itself needs. */
export const ADMIN_INDEX = 0;
export const REGULATOR_INDEX = 1;
export const SETTLER_INDEX = 10;
export const RELAYER_INDEX = 20;
/** Anvil funds this many accounts of DEV_MNEMONIC: the whole cast. */
export const DEV_ACCOUNT_COUNT = 22;

export interface CastMember extends CastEntry {
  address: string;
  /** A well-known development key: public, worthless anywhere but a local chain. */
  privateKey: string;
}

/** One entry of `<DATA_DIR>/accounts.json`. */
export interface StackAccount {
  role: AccountRole;
  name: string;
  address: string;
  /** Only for a local development chain; null otherwise. */
  privateKey: string | null;
}

let derived: CastMember[] | undefined;

/** Every cast member with its address and development key (derived once). */
export function demoCast(): readonly CastMember[] {
  derived ??= CAST.map((entry) => {
    const wallet = devWallet(entry.index);
    return { ...entry, address: wallet.address, privateKey: wallet.privateKey };
  });
  return derived;
}

function isAccountRole(role: CastRole): role is AccountRole {
  return (ACCOUNT_ROLES as readonly string[]).includes(role);
}

/** The demo accounts with one of ACCOUNT_ROLES, in table order, with their development keys. */
export function demoAccounts(): StackAccount[] {
  const accounts: StackAccount[] = [];
  for (const m of demoCast()) {
    if (isAccountRole(m.role))
      accounts.push({ role: m.role, name: m.name, address: m.address, privateKey: m.privateKey });
  }
  return accounts;
}

/** The development key of the gateway's settler (dev wallet SETTLER_INDEX). */
export function settlerDevKey(): string {
  return demoCast()[SETTLER_INDEX].privateKey;
}

/** The development key of the gateway's relayer (dev wallet RELAYER_INDEX). */
export function relayerDevKey(): string {
  return demoCast()[RELAYER_INDEX].privateKey;
}

/**
 * Writes `<dataDir>/accounts.json`: `[{ role, name, address, privateKey }]`, the key only when
 * `localChain` (a development chain whose keys are public anyway), `null` otherwise.
 */
export function writeAccounts(
  dataDir: string,
  accounts: readonly StackAccount[],
  localChain: boolean,
): string {
  const file = path.join(dataDir, "accounts.json");
  const rows = accounts.map((a) => ({
    role: a.role,
    name: a.name,
    address: a.address,
    privateKey: localChain ? a.privateKey : null,
  }));
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(rows, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}
