import type { NavEntry } from "../../app/nav";

/** The supplier's pages. */
export const supplierRoutes: NavEntry[] = [];
