import { randomBytes } from "node:crypto";
import { verifyMessage, type JsonRpcProvider } from "ethers";
import { checkContractWalletSignature, SiweMessage } from "siwe";
import type { NonceResponse } from "../../../api/auth";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import type { Ledger } from "../../../ledger/contracts";
import { REGULATOR_ROLE } from "../../../ledger/roles";
import type { Principal, Role, TokenKeys } from "./tokens";

/**
 * Sign-In with Ethereum (EIP-4361, by the `siwe` package). A nonce is issued once and consumed
 * once; the signed message must follow the EIP-4361 grammar and name this gateway's domain and
 * the ledger's chain; the signature is an account key's, or a contract account's by EIP-1271
 * (a hospital's multisig), asked through the gateway's provider. The roles in the token are
 * read from the chain at login, never taken from the client.
 */

const NONCE_TTL_MS = 10 * 60 * 1000;
const HOSPITAL_ROLE_BITS: [number, Role][] = [
  [1, "hospital-approver"],
  [2, "hospital-settler"],
  [4, "hospital-receiver"],
];

export interface AuthOptions {
  chainId: number;
  tokenTtlSeconds: number;
}

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly ledger: Pick<Ledger, "roles" | "registry" | "hospitals">,
    /** Asked for EIP-1271 signatures of contract accounts. */
    private readonly provider: JsonRpcProvider,
    private readonly tokens: TokenKeys,
    private readonly options: AuthOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `domain`: the host the client reached this gateway at; its SIWE message must name it. */
  async issueNonce(domain: string): Promise<NonceResponse> {
    const nonce = randomBytes(12).toString("hex");
    const expiresAt = new Date(this.now().getTime() + NONCE_TTL_MS);
    // The endpoint is public: expired nonces are purged as new ones are issued, so the table
    // cannot grow without bound.
    await this.db.query(`DELETE FROM auth_nonces WHERE expires_at < now() - interval '1 day'`);
    await this.db.query(`INSERT INTO auth_nonces (nonce, expires_at) VALUES ($1, $2)`, [
      nonce,
      expiresAt.toISOString(),
    ]);
    return {
      nonce,
      expiresAt: expiresAt.toISOString(),
      domain,
      chainId: this.options.chainId,
    };
  }

  async login(
    message: string,
    signature: string,
    domain: string,
  ): Promise<{ token: string; principal: Principal }> {
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
    if (siwe.domain !== domain) {
      throw appError("SIWE_INVALID", `the message is for domain ${siwe.domain}, this gateway is ${domain}`);
    }
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
    if (!(await this.signedByItsAddress(siwe, signature, now))) {
      const keyHolder = recoverSigner(siwe, signature);
      throw appError(
        "SIWE_SIGNATURE_INVALID",
        keyHolder
          ? `the message was signed by ${keyHolder}, not ${siwe.address}`
          : `the signature is not a valid Ethereum signature by ${siwe.address}, nor one it accepts as a contract account (EIP-1271)`,
      );
    }

    // Consume the nonce only now, so a bad signature cannot burn someone else's nonce.
    const signer = siwe.address;
    const { rows } = await this.db.query(
      `UPDATE auth_nonces SET used_at = now(), address = $2 WHERE nonce = $1 AND used_at IS NULL AND expires_at > $3
       RETURNING nonce`,
      [siwe.nonce, signer.toLowerCase(), now.toISOString()],
    );
    if (rows.length === 0) {
      throw appError(
        "SIWE_NONCE_UNKNOWN",
        "the nonce was not issued by this gateway, has expired or was used",
      );
    }
    const principal = await this.principalOf(signer, now);
    return { token: await this.tokens.issue(principal, now), principal };
  }

  /**
   * Whether the message's address signed it: with its key (EIP-191) or, for a contract account,
   * by its isValidSignature answering yes (EIP-1271). `SiweMessage#verify` does both, but it
   * writes to the console when a signature is not one key's, as a multisig's usually is not; such
   * a signature goes straight to the package's EIP-1271 check instead.
   */
  private async signedByItsAddress(siwe: SiweMessage, signature: string, now: Date): Promise<boolean> {
    if (recoverSigner(siwe, signature) === undefined) {
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
    const roles: Role[] = [];
    const [isRegulator, supplierStatus, hospital] = await Promise.all([
      this.ledger.roles.hasRole(REGULATOR_ROLE, address),
      this.ledger.registry.supplierStatus(address),
      this.ledger.hospitals.hospitalOf(address),
    ]);
    if (isRegulator) roles.push("regulator");
    if (supplierStatus !== 0n) roles.push("supplier");
    let hospitalOf: string | null = null;
    if (hospital !== "0x0000000000000000000000000000000000000000") {
      hospitalOf = hospital.toLowerCase();
      if (hospital.toLowerCase() === address.toLowerCase()) roles.push("hospital-admin");
      const bits = Number(await this.ledger.hospitals.memberRoles(hospital, address));
      for (const [bit, role] of HOSPITAL_ROLE_BITS) if (bits & bit) roles.push(role);
    }
    return {
      address: address.toLowerCase(),
      roles,
      hospital: hospitalOf,
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
