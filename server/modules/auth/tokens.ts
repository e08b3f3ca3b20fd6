import { createHash } from "node:crypto";
import { jwtVerify, SignJWT, type JWTPayload } from "jose";
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
}

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

export class TokenKeys {
  private readonly current: Key;
  private readonly byId: ReadonlyMap<string, Key>;

  /** `secret` signs and verifies; `previous` only verify. */
  constructor(
    secret: string,
    previous: readonly string[],
    private readonly audience: string,
  ) {
    const key = (s: string): Key => ({ id: keyId(s), bytes: new TextEncoder().encode(s) });
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

  /** The principal of a token signed by a configured key, for this audience and unexpired; else null. */
  async verify(token: string, now = new Date()): Promise<Principal | null> {
    if (!canonical(token)) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid === undefined ? undefined : this.byId.get(header.kid);
          if (!key) throw new Error("unknown key id");
          return key.bytes;
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
