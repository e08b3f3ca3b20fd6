/**
 * Tag colours dark enough for white text to pass WCAG AA contrast (Ant Design's light preset
 * tags, gold or volcano on their pale backgrounds, do not).
 */
export const TAG = {
  warning: "#7a5200",
  problem: "#ad2102",
  danger: "#a8071a",
  done: "#135200",
  info: "#0958d9",
  muted: "#595959",
} as const;
