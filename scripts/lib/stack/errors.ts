import { resetCommand } from "./paths";

/** A failure the stack explains itself: print `message` as is, no stack trace. */
export class StackError extends Error {
  override readonly name: string = "StackError";
}

/** The chain and the database (or deployment) in DATA_DIR are from different ledgers. */
export class StackMismatchError extends StackError {
  override readonly name = "StackMismatchError";
}

/** Ctrl-C arrived while starting: the current step finished, the rest was skipped. */
export class StackInterrupted extends StackError {
  override readonly name = "StackInterrupted";
}

/** The chain and what was built from it in `dataDir` disagree: nothing is touched, reset is the way out. */
export function mismatch(dataDir: string, detail: string): StackMismatchError {
  return new StackMismatchError(
    [
      `The chain and the database in ${dataDir} no longer belong together.`,
      detail,
      "Nothing was changed or deleted. To start over with a fresh chain, database and demo, run",
      `  ${resetCommand(dataDir)}`,
      "which deletes that folder (database, chain state, deployment, demo accounts) — then npm start again.",
    ].join("\n"),
  );
}

/** DATA_DIR holds a stack built on an earlier version of the ledger's contracts. */
export function outdated(dataDir: string, detail: string): StackMismatchError {
  return new StackMismatchError(
    [
      `${dataDir} holds a stack of an earlier version of the ledger: ${detail}`,
      "The contracts have changed since (v2: the agreement book, bid bonds, shipment records, scoped recalls),",
      "so that chain, database and demo cannot carry on. Nothing was changed or deleted. To start over, run",
      `  ${resetCommand(dataDir)}`,
      "which deletes that folder (database, chain state, deployment, demo accounts) — then npm start again.",
    ].join("\n"),
  );
}
