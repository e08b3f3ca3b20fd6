import { IN_MEMORY, loadConfig, type Config } from "../../../server/config";

/**
 * A valid configuration for tests: in-memory data, no payment worker, no logs, any free port,
 * rate limits out of the way (a test file signs in dozens of accounts from one address; the
 * limits' own tests set them).
 * `env` overrides or adds settings. The real environment is never read.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: IN_MEMORY,
    PAYMENTS_ENABLED: "false",
    LOG_LEVEL: "silent",
    PORT: "0",
    RATE_LIMIT_PER_MINUTE: "1000000",
    RATE_LIMIT_SIGN_IN_PER_MINUTE: "1000000",
    RATE_LIMIT_RELAY_PER_MINUTE: "1000000",
    RATE_LIMIT_VERIFY_PER_MINUTE: "1000000",
    ...env,
  });
}
