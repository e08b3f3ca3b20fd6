import { Gs1Error } from "./gs1.errors";

/**
 * GS1 mod-10 check digit of a numeric key body (GTIN-8/12/13/14, GLN, SSCC, GSRN, ...): digits are
 * weighted 3, 1, 3, ... starting from the digit next to the (absent) check digit.
 */
export function gtinCheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) {
    throw new Gs1Error(
      "INVALID_CHARACTER",
      `check digit body ${JSON.stringify(body)} must be one or more digits`,
    );
  }
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += Number(body[i]) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** True for a GTIN-8, GTIN-12, GTIN-13 or GTIN-14 with a correct check digit. */
export function isValidGtin(gtin: string): boolean {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(gtin)) return false;
  return gtinCheckDigit(gtin.slice(0, -1)) === Number(gtin[gtin.length - 1]);
}

/** True for a GLN: 13 digits whose last is the GS1 mod-10 check digit of the other twelve. */
export function isValidGln(gln: string): boolean {
  return /^\d{13}$/.test(gln) && gtinCheckDigit(gln.slice(0, 12)) === Number(gln[12]);
}

/** GS1 character set 82 in code-point order, which is also the weight order of the check pair. */
export const CSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
/** Alphabet of the alphanumeric check character pair (no 0, 1, I, O that read alike). */
export const CSET_32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

const primes: number[] = [];
function nthPrime(index: number): number {
  for (let candidate = (primes[primes.length - 1] ?? 1) + 1; primes.length <= index; candidate++) {
    if (primes.every((p) => candidate % p !== 0)) primes.push(candidate);
  }
  return primes[index];
}

/**
 * GS1 alphanumeric check character pair (used by GMN and MUDI) for a body in character set 82: the
 * character values are weighted by successive primes from the right, summed modulo 1021, and the
 * 10-bit result is written as two characters of character set 32.
 */
export function alphanumericCheckPair(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    sum += CSET_82.indexOf(body[i]) * nthPrime(body.length - 1 - i);
  }
  sum %= 1021;
  return CSET_32[sum >> 5] + CSET_32[sum & 31];
}
