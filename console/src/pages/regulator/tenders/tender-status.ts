import { TAG } from "../common/colours";
import type { TenderStatus } from "../../../../../api/tenders";

export const TENDER_STATUS_COLOURS: Record<TenderStatus, string> = {
  open: TAG.open,
  awarded: TAG.good,
  failed: TAG.warning,
  cancelled: "default",
};
