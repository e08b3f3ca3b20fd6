import { randomBytes } from "node:crypto";
import { verifyMessage } from "ethers";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import type { Ledger } from "../../../ledger/contracts";
import { REGULATOR_ROLE } from "../../../ledger/roles";
import { parseSiwe, SiweError } from "./siwe";
import { issueToken, type Principal, type Role } from "./tokens";

/**
 * Sign-In with Ethereum. A nonce is issued once and consumed once; the signed message must
 * name this gateway's domain and chain; the roles in the token are read from the chain at
 * login, never taken from the client.
 */

const NONCE_TTL_MS = 10 * 60 * 1000;
const HOSPITAL_ROLE_BITS: [number, Role][] = [
  [1, "hospital-approver"],
  [2, "hospital-settler"],
  [4, "hospital-receiver"],
];

export interface AuthOptions {
  chainId: number;
  secret: string;
  tokenTtlSeconds: number;
}

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly ledger: Pick<Ledger, "roles" | "registry" | "hospitals">,
    private readonly options: AuthOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `domain`: the host the client reached this gateway at; its SIWE message must name it. */
  async issueNonce(
    domain: string,
  ): Promise<{ nonce: string; expiresAt: string; domain: string; chainId: number }> {
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
    let siwe;
    try {
      siwe = parseSiwe(message);
    } catch (error) {
      if (error instanceof SiweError)
        throw appError("SIWE_INVALID", `malformed SIWE message: ${error.message}`);
      throw error;
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
    if (siwe.expirationTime && siwe.expirationTime <= now)
      throw appError("SIWE_EXPIRED", "the message has expired");
    if (siwe.notBefore && siwe.notBefore > now)
      throw appError("SIWE_INVALID", "the message is not valid yet");
    let signer: string;
    try {
      signer = verifyMessage(message, signature);
    } catch {
      throw appError("SIWE_SIGNATURE_INVALID", "the signature is not a valid Ethereum signature");
    }
    if (signer !== siwe.address) {
      throw appError("SIWE_SIGNATURE_INVALID", `the message was signed by ${signer}, not ${siwe.address}`);
    }
    // Consume the nonce only now, so a bad signature cannot burn someone else's nonce.
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
    return { token: issueToken(principal, this.options.secret), principal };
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
