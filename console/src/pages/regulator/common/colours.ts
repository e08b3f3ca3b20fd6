/**
 * Tag colours dark enough for white text at WCAG AA (axe color-contrast): Ant Design's preset
 * green, red and gold tags read below 4.5:1.
 */
export const TAG = {
  good: "#237804",
  bad: "#a8071a",
  waiting: "#874d00",
  open: "#0050b3",
  warning: "#873800",
} as const;
