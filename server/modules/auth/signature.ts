/**
 * EIP-2 canonical form of a 65-byte key signature (r ‖ s ‖ v). ethers recovers the signer from
 * `v` of 0 or 1 (and even 0xff) as readily as from 27 or 28, so each key signature has copies
 * that recover the same signer; EIP-2 also makes an `s` in the upper half of the curve order
 * invalid, which removes the other copy. Only the canonical form is taken for a key's signature:
 * one message, one signature.
 */

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N / 2n;

/** Why a 65-byte signature is not a canonical key signature; null when it is (or is not 65 bytes). */
export function nonCanonical(signature: string): string | null {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return null;
  const r = BigInt(`0x${signature.slice(2, 66)}`);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return `its v is ${v}, not 27 or 28`;
  if (r === 0n || r >= SECP256K1_N || s === 0n) return "its r or s is out of range";
  if (s > HALF_N) return "its s is in the upper half of the curve order (EIP-2)";
  return null;
}
