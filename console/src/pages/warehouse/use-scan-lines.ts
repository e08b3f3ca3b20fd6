import { useCallback, useRef, useState } from "react";
import type { ParsedBarcode } from "../../../../api/barcodes";
import type { Shipment } from "../../../../api/shipments";
import { errorText } from "../../i18n/error-text";
import { useI18n } from "../../i18n/i18n";
import { api, ApiError } from "../../lib/api";
import { needsManifestCheck, type ScanLine } from "./scan-lines";

/**
 * The lines scanned at the dock. Each scan is parsed at once by the gateway (the receipts' own
 * GS1 parser) and, when the shipment has a manifest, its serial looked up there — a serial not
 * listed answers 404 SERIAL_NOT_FOUND — so every line shows its check while the next is scanned.
 * A scan the gateway cannot read shows why in the reader's language (`errorText`).
 */
export function useScanLines(shipment: Shipment) {
  const { lang, t } = useI18n();
  const [lines, setLines] = useState<ScanLine[]>([]);
  const nextKey = useRef(1);

  const update = useCallback((key: number, patch: Partial<ScanLine>) => {
    setLines((all) => all.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  }, []);

  const add = useCallback(
    async (raw: string) => {
      const key = nextKey.current++;
      const line: ScanLine = { key, raw, rejectReason: null };
      setLines((all) => [...all, line]);
      let parsed: ParsedBarcode;
      try {
        parsed = await api.post<ParsedBarcode>("/v1/barcodes/parse", { barcode: raw });
      } catch (error) {
        update(key, { parseError: errorText(error, lang, t).title });
        return;
      }
      update(key, { parsed });
      if (!needsManifestCheck({ ...line, parsed }, shipment)) return;
      try {
        await api.get(`/v1/shipments/${shipment.id}/serials/${encodeURIComponent(parsed.serial!)}/proof`);
        update(key, { manifest: "listed" });
      } catch (error) {
        const notListed =
          error instanceof ApiError && error.status === 404 && error.code === "SERIAL_NOT_FOUND";
        update(key, { manifest: notListed ? "not-listed" : { error: errorText(error, lang, t).title } });
      }
    },
    [shipment, update, lang, t],
  );

  const remove = useCallback((key: number) => setLines((all) => all.filter((l) => l.key !== key)), []);
  const reject = useCallback(
    (key: number, reason: string | null) => update(key, { rejectReason: reason }),
    [update],
  );
  const clear = useCallback(() => setLines([]), []);

  return { lines, add, remove, reject, clear };
}
