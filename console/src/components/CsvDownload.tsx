import { useMutation } from "@tanstack/react-query";
import { Button, Space } from "antd";
import { useI18n } from "../i18n/i18n";
import { downloadCsv } from "../lib/api";
import { ErrorAlert } from "./ErrorAlert";

/**
 * "Download CSV" for a report the API also serves as CSV (`Accept: text/csv`): the whole of it,
 * every page (lib/api's downloadCsv follows the Link headers), as `filename`; a failure shows
 * under the button.
 */
export function CsvDownload({ path, filename }: { path: string; filename: string }) {
  const { t } = useI18n();
  const csv = useMutation({ mutationFn: () => downloadCsv(path, filename) });
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Button type="primary" loading={csv.isPending} onClick={() => csv.mutate()}>
        {t("common.download")}
      </Button>
      {csv.error && <ErrorAlert error={csv.error} />}
    </Space>
  );
}
