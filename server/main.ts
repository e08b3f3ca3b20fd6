import { buildApp } from "./app";
import { ConfigError, loadConfig, type Config } from "./config";

/**
 * Starts the gateway: configuration, app, listen; closes gracefully on SIGINT/SIGTERM (the
 * app's onClose hooks stop workers and close the database). Exit code 1 on a bad
 * configuration or a failed start.
 */

/** After this long a shutdown that has not finished is abandoned. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return;
  }

  const app = buildApp(config);
  if (config.auth.secretGenerated) {
    app.log.warn("AUTH_SECRET is not set: tokens are signed with a per-process key and die with it");
  }
  try {
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (error) {
    app.log.fatal({ err: error }, "gateway failed to start");
    await app.close();
    process.exitCode = 1;
    return;
  }

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      app.log.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    stopping = true;
    app.log.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      app.log.error(`shutdown still running after ${SHUTDOWN_TIMEOUT_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    app.close().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
