import path from "node:path";

/**
 * Where a stack keeps its files. Kept free of heavy imports, so `npm run reset` starts at once.
 *
 *   DATA_DIR/
 *     chain/state.json     Anvil's chain state (written when Anvil stops on SIGINT)
 *     chain/anvil.log      Anvil's output of the current run
 *     deployment.json      the local chain's deployment (the repo's deployments/ is for real networks)
 *     accounts.json        the demo accounts by role
 *     pglite/              the gateway's database (unless DATABASE_URL points at PostgreSQL)
 *     gateway.log          the gateway's log (JSON lines)
 *     auth-secret          token signing key, so sign-ins survive a restart
 *     patient-ref-salt     salt for patient references
 *     .demo-loaded         marker: the demo scenario has been loaded
 *     stack.lock           pid of the running stack and its chain
 *
 * so two stacks with different DATA_DIR and PORT (the chain takes CHAIN_PORT, default PORT+1)
 * run side by side.
 */

/** The checkout: three folders up from this file, or four when it runs compiled from dist/. */
export const PROJECT_ROOT = ((up) => (path.basename(up) === "dist" ? path.dirname(up) : up))(
  path.resolve(__dirname, "..", "..", ".."),
);
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
