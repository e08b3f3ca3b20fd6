import type { NavEntry } from "../../app/nav";

/** The regulator's pages. */
export const regulatorRoutes: NavEntry[] = [];
