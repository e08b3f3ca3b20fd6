import pino from "pino";

/**
 * Where the gateway's log lines go in production: an asynchronous stream that writes once 4 KB
 * have gathered, or every second. Writing each request's two lines as they came cost a system
 * call apiece, as much CPU as the request's database statement (docs/performance.md). Pino
 * flushes what is buffered when the process exits; a SIGKILL loses at most the last second of
 * lines, never data (every write is committed before it is answered).
 */
export function logStream(dest: number | string): pino.DestinationStream & { flush(): void } {
  return pino.destination({ dest, sync: false, minLength: 4096, periodicFlush: 1000 });
}
