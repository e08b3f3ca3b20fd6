/**
 * Helpers for the budget tests: the fiscal-period arithmetic the tests check the contract
 * against, and the base fixture (`budgetFixture`): the order book's fixture (see
 * helpers/orderBook.ts) on a chain that is not within a month of the local new year, with
 * hospital 1's stents budget for the current period set to 1,500,000 fen (one and a half
 * orders of 100 units at the first tier).
 */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { ethers } from "hardhat";
import type { Ledger } from "../../../ledger/contracts";
import { DAY, STENTS } from "./fixtures";
import { orderFixture } from "./orderBook";

export const BUDGET = 1_500_000n;
/** ledger/contracts.ts CHINA_UTC_OFFSET_SECONDS: what `deployLedger` uses by default. */
export const CST = 8 * 3600;
export const MAX_AMOUNT = 2n ** 120n - 1n;
/** AdjustmentStatus as the contract numbers it. */
export const AdjustmentStatus = { None: 0n, Proposed: 1n, Applied: 2n, Withdrawn: 3n } as const;
export const REASON = 301;

/** The calendar year of `timestamp` at `offset` seconds from UTC, by the JavaScript calendar. */
export function yearAt(timestamp: number | bigint, offset: number): number {
  return new Date((Number(timestamp) + offset) * 1000).getUTCFullYear();
}

/** Unix time of local midnight on 1 January of `year`, at `offset` seconds from UTC. */
export function newYear(year: number, offset: number): number {
  return Date.UTC(year, 0, 1) / 1000 - offset;
}

/** The first local new year after `timestamp`. */
export function nextNewYear(timestamp: number | bigint, offset: number): number {
  return newYear(yearAt(timestamp, offset) + 1, offset);
}

/**
 * Moves the chain past the coming local new year if it is less than `margin` away, so that a
 * test's acts all fall in one fiscal period whatever the day it runs.
 */
export async function clearOfNewYear(offset: number = CST, margin: number = 45 * DAY): Promise<void> {
  const now = await time.latest();
  const next = nextNewYear(now, offset);
  if (next - now < margin) await time.increaseTo(next + DAY);
}

/** The fiscal period of the block that mined `tx`. */
export async function periodOfTx(ledger: Ledger, tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return ledger.budgets.periodOf(block!.timestamp);
}

/** The base fixture described at the top of this file. */
export async function budgetFixture() {
  await clearOfNewYear();
  const base = await orderFixture();
  const { ledger, actors } = base;
  const period = await ledger.budgets.currentPeriod();
  await ledger.budgets.connect(actors.hospital).setBudget(STENTS, period, BUDGET);
  return { ...base, period };
}

/** The base fixture with one adjustment of +500,000 fen proposed by approver 0. */
export async function proposedFixture() {
  const base = await budgetFixture();
  const { ledger, actors, period } = base;
  await ledger.budgets.connect(actors.approvers[0]).proposeAdjustment(STENTS, period, 500_000n, REASON);
  return { ...base, adjustmentId: await ledger.budgets.adjustmentCount(), delta: 500_000n };
}
