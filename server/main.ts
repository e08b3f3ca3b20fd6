import closeWithGrace from "close-with-grace";
import { buildApp } from "./app";
import { logStream } from "./lib/log-stream";
import { ConfigError, loadConfig, type Config } from "./config";

/**
 * Starts the gateway: configuration, app, listen. Once listening, close-with-grace closes the
 * app (whose onClose hooks stop the workers and close the database) on SIGINT, SIGTERM or any
 * other terminating signal, and on an uncaught exception or unhandled rejection, which is logged
 * first; exit code 0 after a signal, 1 after an error, a second signal or a shutdown that
 * overran. Exit code 1 on a bad configuration or a failed start.
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

  const stdout = logStream(1);
  const app = buildApp(config, { logStream: stdout });
  if (config.auth.secretGenerated) {
    app.log.warn("AUTH_SECRET is not set: tokens are signed with a per-process key and die with it");
  }
  try {
    await app.listen({ port: config.http.port, host: config.http.host });
    // The start-up lines at once: whoever started the gateway waits for "Server listening".
    stdout.flush();
  } catch (error) {
    app.log.fatal({ err: error }, "gateway failed to start");
    await app.close();
    process.exitCode = 1;
    return;
  }

  // Installed only now: before this a failed start exits by itself with code 1, which the
  // handler's exit on `beforeExit` would otherwise turn into 0.
  closeWithGrace(
    {
      delay: SHUTDOWN_TIMEOUT_MS,
      logger: { error: (message: unknown) => app.log.error(message) },
      onSecondSignal: (signal) => app.log.warn({ signal }, "second signal: exiting without waiting"),
      onSecondError: (error) => app.log.error({ err: error }, "second error while shutting down: exiting"),
      onTimeout: (delay) => app.log.error(`shutdown still running after ${delay} ms: exiting`),
    },
    async ({ signal, err }) => {
      if (err) app.log.fatal({ err }, "uncaught error: shutting down");
      else app.log.info({ signal }, "shutting down");
      await app.close();
    },
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
