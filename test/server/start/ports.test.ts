import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { expect } from "chai";
import { ephemeralPortsFrom, freePorts } from "../../../scripts/lib/stack/settings";

/**
 * The ports the tests and `PORT=0` choose for a process started later. They lie below the range
 * the kernel hands out by itself, since a port chosen there and given back can become an outgoing
 * connection's local port before its process listens: a CI run lost six console files so.
 */
describe("ports chosen for a later listener", () => {
  it("are distinct, free, and below the kernel's ephemeral range", async () => {
    // The kernel's own word, read here rather than through the code under test.
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(ephemeralPortsFrom()).to.equal(low);
    const ports = await freePorts(40);
    expect(new Set(ports).size).to.equal(40);
    for (const port of ports) {
      expect(port, `port ${port}`).to.be.at.least(10000);
      expect(port >= low && port <= high, `port ${port} is in the ephemeral range ${low}–${high}`).to.equal(
        false,
      );
      const srv = createServer();
      await new Promise<void>((resolve, reject) => {
        srv.once("error", reject);
        srv.listen(port, "127.0.0.1", resolve);
      });
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
});
