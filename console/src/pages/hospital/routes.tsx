import type { NavEntry } from "../../app/nav";

/** The hospital's pages. */
export const hospitalRoutes: NavEntry[] = [];
