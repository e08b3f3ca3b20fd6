import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";

/**
 * Benchmarks as ratios: a subject and its baseline measured in the same run, alternately, so a
 * machine that slows down or speeds up mid-run affects both alike. Every figure is reported as
 * min / median / max over the rounds.
 */

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) throw new Error("no values to summarise");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** Runs baseline, subject, baseline, subject, … `rounds` times each; returns both series. */
export async function alternate<T>(
  rounds: number,
  baseline: (round: number) => Promise<T>,
  subject: (round: number) => Promise<T>,
): Promise<{ baseline: T[]; subject: T[] }> {
  const result: { baseline: T[]; subject: T[] } = { baseline: [], subject: [] };
  for (let round = 0; round < rounds; round++) {
    result.baseline.push(await baseline(round));
    result.subject.push(await subject(round));
  }
  return result;
}

/** Each round's subject / baseline, summarised: the ratio of a pair measured side by side. */
export function ratios(subject: number[], baseline: number[]): Spread {
  return spread(subject.map((s, i) => s / baseline[i]));
}

export function formatSpread(s: Spread, digits = 0): string {
  const f = (v: number) =>
    v.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${f(s.min)} / ${f(s.median)} / ${f(s.max)}`;
}

/**
 * Writes a benchmark's results to bench/out/<name>.json (or BENCH_OUT_DIR: the test suite's
 * smoke runs must not overwrite the published figures), with when and where it ran.
 */
export function writeResults(name: string, results: unknown): string {
  const dir = process.env.BENCH_OUT_DIR || join(__dirname, "..", "out");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const machine = { node: process.version, platform: process.platform, cpus: cpus().length };
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2)}\n`);
  return file;
}
