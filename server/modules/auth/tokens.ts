import { createHash, webcrypto } from "node:crypto";
import { jwtVerify, SignJWT, type JWTPayload } from "jose";
import { LRUCache } from "lru-cache";
import { ROLES, type Role } from "../../../api/auth";

export type { Role };

/**
 * Bearer tokens: JWTs (RFC 7519) signed with HS256 by jose. HS256 because the gateway is both
 * the only issuer and the only verifier: one shared secret per key (which replicas already
 * share) is all it needs, and nobody else holds a public key to check tokens with.
 *
 * The header names the key (`kid`); the claims are `sub` (the address), `roles`, `hospital`,
 * `iat`, `exp`, `iss` (this gateway) and `aud` (the ledger deployment the roles were read
 * from, so a token never outlives a redeployment). Tokens are signed with the current key and
 * accepted under it or any previous key still configured, until they expire; see
 * docs/operations-keys.md for rotating keys.
 */

export interface Principal {
  address: string;
  roles: Role[];
  /** The hospital the account acts for (its own address for a hospital admin). */
  hospital: string | null;
  /** Unix time (seconds) the token expires at. */
  expiresAt: number;
}

export const TOKEN_ISSUER = "sunshine-ledger-gateway";

/** The audience of tokens for one ledger deployment. */
export function tokenAudience(chainId: number, deploymentId: string): string {
  return `sunshine-ledger:${chainId}:${deploymentId}`;
}

/**
 * A key's id: a digest of the key, so each replica derives the same id from the same setting
 * and an id needs no setting of its own. It reveals nothing an HS256 token does not already
 * allow an attacker to test guesses against.
 */
export function keyId(secret: string): string {
  return createHash("sha256").update(`sunshine-ledger token key\0${secret}`).digest("base64url").slice(0, 16);
}

interface Key {
  id: string;
  bytes: Uint8Array;
  /** The same key imported once for verifying: jose would import the bytes again on every call. */
  verifying: Promise<webcrypto.CryptoKey>;
}

/**
 * How many verified tokens are remembered: about one per account signed in within the hour, far
 * more than a hospital's staff. Only tokens that verified are kept, so no caller can fill it
 * with garbage.
 */
const VERIFIED_TOKENS = 10_000;

const ADDRESS = /^0x[0-9a-f]{40}$/;
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * A JWS compact serialisation in its one canonical spelling. jose decodes leniently (a trailing
 * `=` or whitespace, unused low bits of the last character), which would give one token several
 * spellings that all verify; only the spelling we issue is taken.
 */
function canonical(token: string): boolean {
  return (
    COMPACT.test(token) &&
    token.split(".").every((part) => Buffer.from(part, "base64url").toString("base64url") === part)
  );
}

/** Callers own the principal they are given: the remembered one is never handed out. */
function copy(p: Principal): Principal {
  return { ...p, roles: [...p.roles] };
}

export class TokenKeys {
  private readonly current: Key;
  private readonly byId: ReadonlyMap<string, Key>;

  /** `secret` signs and verifies; `previous` only verify. */
  constructor(
    secret: string,
    previous: readonly string[],
    private readonly audience: string,
  ) {
    const key = (s: string): Key => {
      const bytes = new TextEncoder().encode(s);
      const verifying = webcrypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, [
        "verify",
      ]);
      return { id: keyId(s), bytes, verifying };
    };
    this.current = key(secret);
    this.byId = new Map([...previous.map(key), this.current].map((k) => [k.id, k]));
  }

  async issue(p: Principal, now = new Date()): Promise<string> {
    return new SignJWT({ roles: p.roles, hospital: p.hospital })
      .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: this.current.id })
      .setSubject(p.address)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(this.audience)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(p.expiresAt)
      .sign(this.current.bytes);
  }

  /**
   * Tokens already verified, by their exact text (which includes the signature): a signed-in
   * client sends the same token with every request, and checking its HMAC each time (jose goes
   * through WebCrypto's thread pool) was a sixth of a write's CPU. Only the expiry can change a
   * verdict later, and it is checked on every use. The keys never change while the process runs.
   */
  private readonly verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS });

  /** The principal of a token signed by a configured key, for this audience and unexpired; else null. */
  async verify(token: string, now = new Date()): Promise<Principal | null> {
    const known = this.verified.get(token);
    if (known) return known.expiresAt > Math.floor(now.getTime() / 1000) ? copy(known) : null;
    const principal = await this.check(token, now);
    if (principal) this.verified.set(token, copy(principal));
    return principal;
  }

  private async check(token: string, now: Date): Promise<Principal | null> {
    if (!canonical(token)) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid === undefined ? undefined : this.byId.get(header.kid);
          if (!key) throw new Error("unknown key id");
          return key.verifying;
        },
        {
          algorithms: ["HS256"],
          issuer: TOKEN_ISSUER,
          audience: this.audience,
          requiredClaims: ["sub", "iat", "exp"],
          currentDate: now,
        },
      ));
    } catch {
      return null;
    }
    const { sub, roles, hospital, exp } = payload;
    if (
      typeof sub !== "string" ||
      !ADDRESS.test(sub) ||
      !Array.isArray(roles) ||
      !roles.every((r) => (ROLES as readonly unknown[]).includes(r)) ||
      !(hospital === null || (typeof hospital === "string" && ADDRESS.test(hospital))) ||
      exp === undefined
    ) {
      return null;
    }
    return { address: sub, roles: roles as Role[], hospital, expiresAt: exp };
  }
}
