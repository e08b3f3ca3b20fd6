/**
 * Status colours for tags and flags, dark enough for white text to pass WCAG AA contrast (axe
 * color-contrast, checked by the browser tests): Ant Design's light preset tags — green, gold,
 * orange, red on their pale backgrounds — read below 4.5:1.
 */
export const TAG = {
  /** Done, attested, active, matched. */
  good: "#135200",
  /** Refused, rejected, suspended, failed, an excursion. */
  bad: "#a8071a",
  /** Needs attention soon: expiring, late, held. */
  warning: "#873800",
  /** Waiting for someone: pending review, placed. */
  waiting: "#7a5200",
  /** A problem to look into: an exception's reason. */
  problem: "#ad2102",
  /** Neutral information: open, in progress. */
  info: "#0050b3",
  /** Over and done with: cancelled, lifted. */
  muted: "#595959",
} as const;
export type Tone = keyof typeof TAG;
