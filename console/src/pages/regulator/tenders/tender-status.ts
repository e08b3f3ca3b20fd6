import type { TenderStatus } from "../../../../../api/tenders";

export const TENDER_STATUS_COLOURS: Record<TenderStatus, string> = {
  open: "blue",
  awarded: "green",
  failed: "orange",
  cancelled: "default",
};
