import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Bearer tokens: `base64url(claims).base64url(HMAC-SHA256(claims))` with the gateway's
 * AUTH_SECRET. Stateless, so replicas sharing the secret accept each other's tokens; roles are
 * fixed at sign-in (read from the chain then) until the token expires.
 */

export type Role =
  | "regulator"
  | "supplier"
  | "hospital-admin"
  | "hospital-approver"
  | "hospital-settler"
  | "hospital-receiver";

export interface Principal {
  address: string;
  roles: Role[];
  /** The hospital the account acts for (its own address for a hospital admin). */
  hospital: string | null;
  expiresAt: number;
}

export function issueToken(p: Principal, secret: string): string {
  const body = Buffer.from(JSON.stringify(p)).toString("base64url");
  return `${body}.${sign(body, secret)}`;
}

/** The principal of a valid, unexpired token; null otherwise. */
export function verifyToken(token: string, secret: string, now = Date.now()): Principal | null {
  const [body, mac] = token.split(".");
  if (!body || !mac) return null;
  const expected = Buffer.from(sign(body, secret));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let p: Principal;
  try {
    p = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Principal;
  } catch {
    return null;
  }
  return p.expiresAt * 1000 > now ? p : null;
}

function sign(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64url");
}
