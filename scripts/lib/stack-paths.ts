import path from "node:path";

/**
 * Where a stack keeps its files (see scripts/lib/stack.ts for what each one is). Kept free of
 * heavy imports, so `npm run reset` starts at once.
 */

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_PORT = 8080;
/** Where the stack keeps its files unless DATA_DIR says otherwise (relative to the working directory, as in server/config.ts). */
export const DEFAULT_DATA_DIR = "./data";
/** Network name recorded in the local chain's deployment.json. */
export const LOCAL_NETWORK = "localhost";
/** Chain id of the local Anvil chain. */
export const LOCAL_CHAIN_ID = 31337;

export interface StackPaths {
  dataDir: string;
  chainDir: string;
  stateFile: string;
  anvilLog: string;
  deployment: string;
  accounts: string;
  pglite: string;
  gatewayLog: string;
  authSecret: string;
  patientRefSalt: string;
  demoMarker: string;
  lock: string;
}

export function stackPaths(dataDir: string): StackPaths {
  const d = path.resolve(dataDir);
  const chainDir = path.join(d, "chain");
  return {
    dataDir: d,
    chainDir,
    stateFile: path.join(chainDir, "state.json"),
    anvilLog: path.join(chainDir, "anvil.log"),
    deployment: path.join(d, "deployment.json"),
    accounts: path.join(d, "accounts.json"),
    pglite: path.join(d, "pglite"),
    gatewayLog: path.join(d, "gateway.log"),
    authSecret: path.join(d, "auth-secret"),
    patientRefSalt: path.join(d, "patient-ref-salt"),
    demoMarker: path.join(d, ".demo-loaded"),
    lock: path.join(d, "stack.lock"),
  };
}

/** The command that resets this stack's DATA_DIR. */
export function resetCommand(dataDir: string): string {
  const dir = path.resolve(dataDir);
  if (dir === path.resolve(PROJECT_ROOT, DEFAULT_DATA_DIR)) return "npm run reset";
  return `DATA_DIR=${shellQuote(dir)} npm run reset`;
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
