import type { ReactNode } from "react";
import type { Role } from "../../../api/auth";
import type { MessageKey } from "../i18n/en";

/** One page of the console: its address, its menu label and the roles that see it. */
export interface NavEntry {
  path: string;
  label: MessageKey;
  roles: readonly Role[];
  element: ReactNode;
}
