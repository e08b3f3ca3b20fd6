import { ConfigError } from "../../config";
import { LOCAL_DEVELOPMENT_CHAIN_ID } from "../../../ledger/deployment";

/**
 * Where a Sign-In with Ethereum message may say it signs in: one of the gateway's configured
 * public origins (PUBLIC_ORIGINS), never whatever the request's Host header claims. A wallet
 * shows the user the message's domain; a phishing site that relays our nonce gets a message
 * naming its own domain (wallets refuse to sign one naming another site's), and that message is
 * refused here because its domain is not ours, whatever Host header the phisher sends.
 *
 * Local development is known by the chain: Hardhat and Anvil run as chain 31337, whose keys are
 * public anyway. There, without PUBLIC_ORIGINS, any loopback origin (localhost, 127.0.0.1, [::1],
 * any port) is accepted, so `npm start`, the CLI and the tests need no setting. On any other chain
 * the gateway refuses to start without PUBLIC_ORIGINS.
 */

export { LOCAL_DEVELOPMENT_CHAIN_ID };

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** An RFC 3986 authority without user information: host (or [IPv6]) and optional port. */
const AUTHORITY = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export class SignInOrigins {
  private constructor(
    /** Normalised origins; empty: the loopback origins of local development. */
    private readonly origins: readonly string[],
  ) {}

  static of(configured: readonly string[], chainId: number): SignInOrigins {
    if (configured.length === 0 && chainId !== LOCAL_DEVELOPMENT_CHAIN_ID) {
      throw new ConfigError([
        {
          setting: "PUBLIC_ORIGINS",
          problem:
            `is required on chain ${chainId} (only the local development chain ` +
            `${LOCAL_DEVELOPMENT_CHAIN_ID} accepts loopback origins without it): ` +
            "set the origins users reach the gateway at, e.g. https://ledger.example.org",
        },
      ]);
    }
    return new SignInOrigins(configured.map((o) => new URL(o).origin));
  }

  /** Why a message with this domain and URI is not for this gateway; null when it is. */
  refusal(domain: string, uri: string): string | null {
    const expected =
      this.origins.length > 0 ? this.origins.join(", ") : "a loopback origin (local development)";
    const notOurs = `the message is for domain ${domain} and URI ${uri}; this gateway signs in at ${expected}`;
    let target: URL;
    try {
      target = new URL(uri);
    } catch {
      return notOurs;
    }
    if (target.username !== "" || target.password !== "" || !this.allows(target)) return notOurs;
    // The domain is the authority the user saw; it must be the URI's, so both name our origin.
    if (!AUTHORITY.test(domain)) return notOurs;
    let authority: URL;
    try {
      authority = new URL(`${target.protocol}//${domain}`);
    } catch {
      return notOurs;
    }
    return authority.host === target.host ? null : notOurs;
  }

  /**
   * The domain and URI a client should put in its message: the configured origin the client
   * reached (by its Host header, only to choose among ours), else the first one.
   */
  suggestion(requestHost: string): { domain: string; uri: string } {
    if (this.origins.length === 0) {
      const local = AUTHORITY.test(requestHost) && this.allows(new URL(`http://${requestHost}`));
      const domain = local ? requestHost : "localhost";
      return { domain, uri: `http://${domain}` };
    }
    const reached = this.origins.find((o) => new URL(o).host === requestHost.toLowerCase());
    const origin = new URL(reached ?? this.origins[0]);
    return { domain: origin.host, uri: origin.origin };
  }

  private allows(target: URL): boolean {
    if (this.origins.length > 0) return this.origins.includes(target.origin);
    return ["http:", "https:"].includes(target.protocol) && LOOPBACK.has(target.hostname);
  }
}
