import type { NavEntry } from "../../app/nav";

/** The warehouse's pages. */
export const warehouseRoutes: NavEntry[] = [];
