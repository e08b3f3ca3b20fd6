import { TAG } from "../../../components/tag-colours";
import type { TenderStatus } from "../../../../../api/tenders";

export const TENDER_STATUS_COLOURS: Record<TenderStatus, string> = {
  open: TAG.info,
  awarded: TAG.good,
  failed: TAG.warning,
  cancelled: "default",
};
