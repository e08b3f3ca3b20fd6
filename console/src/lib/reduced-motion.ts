import { useSyncExternalStore } from "react";

/**
 * Whether the user asked the system for less motion (WCAG 2.3.3): then Ant Design's animations
 * (messages sliding in, drop-downs growing, the click ripple) are turned off. Follows a change of
 * the setting while the console is open.
 */
const QUERY = "(prefers-reduced-motion: reduce)";

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia(QUERY);
  media.addEventListener("change", onChange);
  return () => media.removeEventListener("change", onChange);
}

export function useReducedMotion(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(QUERY).matches);
}
