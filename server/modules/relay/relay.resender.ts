import type { FastifyInstance } from "fastify";
import { PollLoop, type LoopLogger } from "../../lib/poll-loop";
import type { RelayerLane } from "./relay.lane";

/**
 * How often the lane is compared with the node when no relay comes: a transaction a restarted
 * node lost (or that a crashed gateway had sent) is sent again within this long.
 */
export const RESEND_INTERVAL_MS = 5_000;

/**
 * Runs the lane's comparison with the node on its own (relay.sender.ts `reconcile`): before, a
 * relayed act answered 202 whose transaction the node lost was sent again only by the next relay,
 * and with none to come it was never mined. Node or database failures are retried with backoff.
 */
export function runResender(app: FastifyInstance, lane: RelayerLane, log: LoopLogger): void {
  const loop = new PollLoop({
    name: "relay resender",
    step: async () => {
      await lane.reconcile();
      return false;
    },
    intervalMs: RESEND_INTERVAL_MS,
    backoff: { baseMs: RESEND_INTERVAL_MS, maxMs: 60_000 },
    log,
  });
  app.addHook("onReady", async () => {
    void loop.start();
  });
  app.addHook("onClose", () => loop.stop());
}
