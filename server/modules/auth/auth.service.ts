import { randomBytes } from "node:crypto";
import { verifyMessage, type JsonRpcProvider } from "ethers";
import { checkContractWalletSignature, SiweMessage } from "siwe";
import type { NonceResponse } from "../../../api/auth";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import { readChainRoles, type RoleReader } from "./chain-roles";
import { consumeNonce, issueNonce, purgeExpiredNonces } from "./nonces.repository";
import type { SignInOrigins } from "./origins";
import { nonCanonical } from "./signature";
import type { Principal, TokenKeys } from "./tokens";

/**
 * Sign-In with Ethereum (EIP-4361, by the `siwe` package). A nonce is issued once and consumed
 * once; the signed message must follow the EIP-4361 grammar, name one of this gateway's public
 * origins (origins.ts; never the request's Host header) and the ledger's chain, and be freshly
 * issued; the signature is an account key's in canonical form (signature.ts), or a contract
 * account's by EIP-1271 (a hospital's multisig), asked through the gateway's provider. The roles
 * in the token are read from the chain at login, never taken from the client.
 */

const NONCE_TTL_MS = 10 * 60 * 1000;
/** How old a message's Issued At may be: long enough to read and sign it, too short to stockpile. */
export const ISSUED_AT_MAX_AGE_MS = 5 * 60 * 1000;
/** How far ahead of our clock a client's clock may run. */
export const ISSUED_AT_MAX_SKEW_MS = 60 * 1000;

export interface AuthOptions {
  chainId: number;
  tokenTtlSeconds: number;
  origins: SignInOrigins;
  maxNoncesPerClient: number;
}

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly ledger: RoleReader,
    /** Asked for EIP-1271 signatures of contract accounts. */
    private readonly provider: JsonRpcProvider,
    private readonly tokens: TokenKeys,
    private readonly options: AuthOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * A nonce for `client` (its IP address), refused once it holds as many unused ones as it may.
   * `requestHost` only chooses which of our origins to suggest.
   */
  async issueNonce(client: string, requestHost: string): Promise<NonceResponse> {
    const nonce = randomBytes(12).toString("hex");
    const now = this.now();
    const expiresAt = new Date(now.getTime() + NONCE_TTL_MS);
    const max = this.options.maxNoncesPerClient;
    if (!(await issueNonce(this.db, { nonce, client, expiresAt, now, max }))) {
      throw appError(
        "SIWE_TOO_MANY_NONCES",
        `this client already holds ${max} unused sign-in nonces: use one, or wait for them to expire`,
      );
    }
    return {
      nonce,
      expiresAt: expiresAt.toISOString(),
      ...this.options.origins.suggestion(requestHost),
      chainId: this.options.chainId,
    };
  }

  /** Deletes expired nonces; the routes call it on a timer. */
  purgeExpiredNonces(): Promise<number> {
    return purgeExpiredNonces(this.db, this.now());
  }

  async login(message: string, signature: string): Promise<{ token: string; principal: Principal }> {
    let siwe: SiweMessage;
    try {
      siwe = new SiweMessage(message);
    } catch (error) {
      throw appError("SIWE_INVALID", `malformed SIWE message: ${grammarError(error)}`);
    }
    // What is verified is the message as the package lays it out; refuse any other layout
    // here rather than as a signature that mysteriously does not match.
    if (siwe.prepareMessage() !== message) {
      throw appError("SIWE_INVALID", "malformed SIWE message: it is not laid out as EIP-4361 prescribes");
    }
    const notOurs = this.options.origins.refusal(siwe.domain, siwe.uri);
    if (notOurs !== null) throw appError("SIWE_INVALID", notOurs);
    if (siwe.chainId !== this.options.chainId) {
      throw appError(
        "SIWE_INVALID",
        `the message is for chain ${siwe.chainId}, the ledger is on chain ${this.options.chainId}`,
      );
    }
    const now = this.now();
    if (siwe.expirationTime !== undefined && new Date(siwe.expirationTime) <= now)
      throw appError("SIWE_EXPIRED", "the message has expired");
    if (siwe.notBefore !== undefined && new Date(siwe.notBefore) > now)
      throw appError("SIWE_INVALID", "the message is not valid yet");
    this.checkIssuedAt(new Date(siwe.issuedAt!), now);
    // A 65-byte signature not in canonical form is never taken as a key's (it would be a second
    // form of one); a contract account may still accept it by EIP-1271, as it judges its own.
    const nonCanonicalKeySignature = nonCanonical(signature);
    if (!(await this.signedByItsAddress(siwe, signature, now, nonCanonicalKeySignature === null))) {
      const keyHolder = nonCanonicalKeySignature === null ? recoverSigner(siwe, signature) : undefined;
      throw appError(
        "SIWE_SIGNATURE_INVALID",
        nonCanonicalKeySignature !== null
          ? `the signature is not a key's canonical signature (${nonCanonicalKeySignature}), nor one ${siwe.address} accepts as a contract account (EIP-1271)`
          : keyHolder
            ? `the message was signed by ${keyHolder}, not ${siwe.address}`
            : `the signature is not a valid Ethereum signature by ${siwe.address}, nor one it accepts as a contract account (EIP-1271)`,
      );
    }

    // Consume the nonce only now, so a bad signature cannot burn someone else's nonce.
    const signer = siwe.address;
    if (!(await consumeNonce(this.db, siwe.nonce, signer.toLowerCase(), now))) {
      throw appError(
        "SIWE_NONCE_UNKNOWN",
        "the nonce was not issued by this gateway, has expired or was used",
      );
    }
    const principal = await this.principalOf(signer, now);
    return { token: await this.tokens.issue(principal, now), principal };
  }

  /** Issued recently, by a clock not far ahead of ours: a signed message cannot be stockpiled. */
  private checkIssuedAt(issuedAt: Date, now: Date): void {
    const age = now.getTime() - issuedAt.getTime();
    if (age > ISSUED_AT_MAX_AGE_MS) {
      throw appError(
        "SIWE_EXPIRED",
        `the message was issued at ${issuedAt.toISOString()}, more than ${ISSUED_AT_MAX_AGE_MS / 60_000} minutes ago: sign a fresh one`,
      );
    }
    if (-age > ISSUED_AT_MAX_SKEW_MS) {
      throw appError(
        "SIWE_INVALID",
        `the message's Issued At ${issuedAt.toISOString()} is in the future; check the client's clock`,
      );
    }
  }

  /**
   * Whether the message's address signed it: with its key (EIP-191) or, for a contract account,
   * by its isValidSignature answering yes (EIP-1271). `SiweMessage#verify` does both, but it
   * writes to the console when a signature is not one key's, as a multisig's usually is not; such
   * a signature goes straight to the package's EIP-1271 check instead, as does one `mayBeKeys`
   * rules out.
   */
  private async signedByItsAddress(
    siwe: SiweMessage,
    signature: string,
    now: Date,
    mayBeKeys: boolean,
  ): Promise<boolean> {
    if (!mayBeKeys || recoverSigner(siwe, signature) === undefined) {
      // An account with no code answers nothing decodable: the check throws.
      return checkContractWalletSignature(siwe, signature, this.provider).catch(() => false);
    }
    const verdict = await siwe.verify(
      { signature, time: now.toISOString() },
      { provider: this.provider, suppressExceptions: true },
    );
    return verdict.success;
  }

  /** The roles `address` holds on the chain right now. */
  async principalOf(address: string, now = this.now()): Promise<Principal> {
    const { roles, hospital } = await readChainRoles(this.ledger, address);
    return {
      address: address.toLowerCase(),
      roles,
      hospital,
      expiresAt: Math.floor(now.getTime() / 1000) + this.options.tokenTtlSeconds,
    };
  }
}

/** The parser's own first line ("line 2: invalid EIP-55 address - 0x…"), without its internal state. */
function grammarError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("Invalid message: {"));
  return lines[0] ?? "it does not follow the EIP-4361 grammar";
}

/** The account whose key made `signature` over the message, if it is one key's signature. */
function recoverSigner(siwe: SiweMessage, signature: string): string | undefined {
  try {
    return verifyMessage(siwe.prepareMessage(), signature);
  } catch {
    return undefined;
  }
}
