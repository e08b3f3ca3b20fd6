/** Seconds as days, one decimal: a duration to read, not money. */
export function daysOf(seconds: number): string {
  return (seconds / 86_400).toFixed(1);
}
