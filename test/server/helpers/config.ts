import { IN_MEMORY, loadConfig, type Config } from "../../../server/config";

/**
 * A valid configuration for tests: in-memory data, no payment worker, no logs, any free port.
 * `env` overrides or adds settings. The real environment is never read.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: IN_MEMORY,
    PAYMENTS_ENABLED: "false",
    LOG_LEVEL: "silent",
    PORT: "0",
    ...env,
  });
}
