import { ethers, type ContractRunner, type Signer } from "ethers";
import {
  AgreementBook__factory,
  BudgetBook__factory,
  ConsignmentBook__factory,
  CampusTransfers__factory,
  DeliveryTrace__factory,
  FundBook__factory,
  HospitalRegistry__factory,
  LedgerForwarder__factory,
  LedgerRoles__factory,
  OrderBook__factory,
  SettlementToken__factory,
  SupplierRegistry__factory,
  TenderHouse__factory,
  type AgreementBook,
  type BudgetBook,
  type ConsignmentBook,
  type CampusTransfers,
  type DeliveryTrace,
  type FundBook,
  type HospitalRegistry,
  type LedgerForwarder,
  type LedgerRoles,
  type OrderBook,
  type SettlementToken,
  type SupplierRegistry,
  type TenderHouse,
} from "../typechain-types";
import { PAUSER_ROLE, REGULATOR_ROLE } from "./roles";

/**
 * The contracts built on LedgerBase: each asks the roles contract, honours the forwarder and can
 * be paused (the forwarder, the roles contract and the token are not).
 */
export const LEDGER_BASED_CONTRACTS = [
  "registry",
  "tenders",
  "agreements",
  "hospitals",
  "trace",
  "orderBook",
  "budgets",
  "consignment",
  "campusTransfers",
  "fund",
] as const;

/**
 * Names of the deployed ledger contracts, as they appear in `deployments/<network>.json`, in the
 * order the deployment id hashes their addresses.
 */
export const LEDGER_CONTRACTS = ["forwarder", "roles", "token", ...LEDGER_BASED_CONTRACTS] as const;
export type LedgerContractName = (typeof LEDGER_CONTRACTS)[number];

export interface Ledger {
  forwarder: LedgerForwarder;
  roles: LedgerRoles;
  token: SettlementToken;
  registry: SupplierRegistry;
  tenders: TenderHouse;
  agreements: AgreementBook;
  hospitals: HospitalRegistry;
  trace: DeliveryTrace;
  orderBook: OrderBook;
  budgets: BudgetBook;
  consignment: ConsignmentBook;
  campusTransfers: CampusTransfers;
  fund: FundBook;
}

/** China Standard Time, the ledger's default local time for fiscal periods (UTC+8, no DST). */
export const CHINA_UTC_OFFSET_SECONDS = 8 * 3600;

export interface DeployOptions {
  /** Accounts that get REGULATOR_ROLE. */
  regulators?: string[];
  /** Accounts that get PAUSER_ROLE (the deployer always does). */
  pausers?: string[];
  /** Settle in this existing ERC-20 instead of deploying the test token. */
  tokenAddress?: string;
  /**
   * Seconds local time is ahead of UTC, fixed for good: a fiscal period (budget year) is the
   * calendar year at this offset. Default: China Standard Time.
   */
  utcOffsetSeconds?: number;
}

export interface DeploymentRecord {
  network: string;
  chainId: number;
  deploymentBlock: number;
  deployedAt: string;
  /** Hash of chain id and every address: the identity the gateway checks its database against. */
  deploymentId: string;
  contracts: Record<LedgerContractName, string>;
}

/**
 * Deploys the whole ledger from `deployer` and wires it: the agreement book is bound to the
 * tender house and the order book, the order book to the delivery trace, the budget book and the
 * consignment book and the fund book (each binding happens exactly once), roles are granted.
 */
export async function deployLedger(
  deployer: Signer,
  options: DeployOptions = {},
): Promise<{ ledger: Ledger; deploymentBlock: number }> {
  const admin = await deployer.getAddress();
  const provider = deployer.provider;
  if (!provider) throw new Error("the deployer signer has no provider");
  const firstBlock = await provider.getBlockNumber();

  const forwarder = await deployed(new LedgerForwarder__factory(deployer).deploy());
  const fwd = await forwarder.getAddress();
  const roles = await deployed(new LedgerRoles__factory(deployer).deploy(admin, fwd));
  const token = options.tokenAddress
    ? SettlementToken__factory.connect(options.tokenAddress, deployer)
    : await deployed(new SettlementToken__factory(deployer).deploy(admin));
  const rolesAddr = await roles.getAddress();
  const registry = await deployed(new SupplierRegistry__factory(deployer).deploy(rolesAddr, fwd));
  const registryAddr = await registry.getAddress();
  const tokenAddr = await token.getAddress();
  const tenders = await deployed(
    new TenderHouse__factory(deployer).deploy(rolesAddr, fwd, tokenAddr, registryAddr),
  );
  const agreements = await deployed(new AgreementBook__factory(deployer).deploy(rolesAddr, fwd));
  const hospitals = await deployed(new HospitalRegistry__factory(deployer).deploy(rolesAddr, fwd));
  const hospitalsAddr = await hospitals.getAddress();
  const trace = await deployed(
    new DeliveryTrace__factory(deployer).deploy(rolesAddr, fwd, registryAddr, hospitalsAddr),
  );
  const budgets = await deployed(
    new BudgetBook__factory(deployer).deploy(
      rolesAddr,
      fwd,
      hospitalsAddr,
      options.utcOffsetSeconds ?? CHINA_UTC_OFFSET_SECONDS,
    ),
  );
  const consignment = await deployed(
    new ConsignmentBook__factory(deployer).deploy(
      rolesAddr,
      fwd,
      tokenAddr,
      await agreements.getAddress(),
      hospitalsAddr,
      await trace.getAddress(),
    ),
  );
  const fund = await deployed(
    new FundBook__factory(deployer).deploy(
      rolesAddr,
      fwd,
      tokenAddr,
      await agreements.getAddress(),
      await tenders.getAddress(),
    ),
  );
  const orderBook = await deployed(
    new OrderBook__factory(deployer).deploy(
      rolesAddr,
      fwd,
      tokenAddr,
      await agreements.getAddress(),
      registryAddr,
      hospitalsAddr,
      await trace.getAddress(),
      await budgets.getAddress(),
      await consignment.getAddress(),
      await fund.getAddress(),
    ),
  );
  const campusTransfers = await deployed(
    new CampusTransfers__factory(deployer).deploy(rolesAddr, fwd, hospitalsAddr),
  );
  const orderBookAddr = await orderBook.getAddress();
  await (await tenders.bindAgreements(await agreements.getAddress())).wait();
  await (await agreements.bind(await tenders.getAddress(), orderBookAddr)).wait();
  await (await trace.bindOrderBook(orderBookAddr)).wait();
  await (await budgets.bindOrderBook(orderBookAddr)).wait();
  await (await consignment.bindOrderBook(orderBookAddr)).wait();
  await (await fund.bindOrderBook(orderBookAddr)).wait();
  for (const account of options.regulators ?? []) {
    await (await roles.grantRole(REGULATOR_ROLE, account)).wait();
  }
  for (const account of new Set([admin, ...(options.pausers ?? [])])) {
    await (await roles.grantRole(PAUSER_ROLE, account)).wait();
  }

  const ledger: Ledger = {
    forwarder,
    roles,
    token,
    registry,
    tenders,
    agreements,
    hospitals,
    trace,
    orderBook,
    budgets,
    consignment,
    campusTransfers,
    fund,
  };
  return { ledger, deploymentBlock: firstBlock + 1 };
}

/** Builds the record written to `deployments/<network>.json`. */
export async function deploymentRecord(
  network: string,
  ledger: Ledger,
  deploymentBlock: number,
): Promise<DeploymentRecord> {
  const provider = ledger.roles.runner?.provider;
  if (!provider) throw new Error("the ledger contracts have no provider");
  const chainId = Number((await provider.getNetwork()).chainId);
  const contracts = {} as Record<LedgerContractName, string>;
  for (const name of LEDGER_CONTRACTS) contracts[name] = await ledger[name].getAddress();
  const deploymentId = ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ["uint256", "address[]"],
      [chainId, LEDGER_CONTRACTS.map((name) => contracts[name])],
    ),
  );
  return {
    network,
    chainId,
    deploymentBlock,
    deployedAt: new Date().toISOString(),
    deploymentId,
    contracts,
  };
}

/** Typed contract handles for an existing deployment. */
export function connectLedger(record: DeploymentRecord, runner: ContractRunner): Ledger {
  const c = record.contracts;
  return {
    forwarder: LedgerForwarder__factory.connect(c.forwarder, runner),
    roles: LedgerRoles__factory.connect(c.roles, runner),
    token: SettlementToken__factory.connect(c.token, runner),
    registry: SupplierRegistry__factory.connect(c.registry, runner),
    tenders: TenderHouse__factory.connect(c.tenders, runner),
    agreements: AgreementBook__factory.connect(c.agreements, runner),
    hospitals: HospitalRegistry__factory.connect(c.hospitals, runner),
    trace: DeliveryTrace__factory.connect(c.trace, runner),
    orderBook: OrderBook__factory.connect(c.orderBook, runner),
    budgets: BudgetBook__factory.connect(c.budgets, runner),
    consignment: ConsignmentBook__factory.connect(c.consignment, runner),
    campusTransfers: CampusTransfers__factory.connect(c.campusTransfers, runner),
    fund: FundBook__factory.connect(c.fund, runner),
  };
}

async function deployed<T extends { waitForDeployment(): Promise<unknown> }>(
  pending: Promise<T>,
): Promise<T> {
  const contract = await pending;
  await contract.waitForDeployment();
  return contract;
}

/** The ABI type of `ShipmentRecord`, as DeliveryTrace hashes it. */
export const SHIPMENT_RECORD_TYPE =
  "tuple(uint256 orderId, address supplier, address hospital, uint64 gtin, uint64 expiry, uint32 quantity, uint64 createdAt, bytes32 serialRoot, bytes32 noticeHash, string lot)";

/** keccak256(abi.encode(record)): the one value DeliveryTrace stores of a shipment. */
export function shipmentRecordHash(record: {
  orderId: ethers.BigNumberish;
  supplier: string;
  hospital: string;
  gtin: ethers.BigNumberish;
  expiry: ethers.BigNumberish;
  quantity: ethers.BigNumberish;
  createdAt: ethers.BigNumberish;
  serialRoot: string;
  noticeHash: string;
  lot: string;
}): string {
  return ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode([SHIPMENT_RECORD_TYPE], [record]));
}

/** keccak256(abi.encode(gtin, lot)): a lot's key, the indexed topic of its shipments. */
export function lotKeyOf(gtin: ethers.BigNumberish, lot: string): string {
  return ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint64", "string"], [gtin, lot]));
}
