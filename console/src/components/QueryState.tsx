import { Button, Empty, Space, Spin } from "antd";
import type { ReactNode } from "react";
import { useI18n } from "../i18n/i18n";
import { ErrorAlert } from "./ErrorAlert";

/**
 * Loading, error (with a retry) and empty states of a query: a page is never blank. A query not
 * asked (disabled while the page's own fields are wrong, which the page says) shows nothing,
 * rather than a spinner that never ends.
 */
export function QueryState<T>(props: {
  query: {
    isPending: boolean;
    fetchStatus?: "fetching" | "paused" | "idle";
    error: unknown;
    data: T | undefined;
    refetch: () => unknown;
  };
  empty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  const { t } = useI18n();
  const { query } = props;
  if (query.isPending && query.fetchStatus === "idle") return null;
  if (query.isPending)
    return (
      <Spin tip={t("state.loading")}>
        <div style={{ minHeight: 80 }} />
      </Spin>
    );
  if (query.error || query.data === undefined)
    return (
      <Space orientation="vertical" style={{ width: "100%" }}>
        <ErrorAlert error={query.error} />
        <Button onClick={() => query.refetch()}>{t("state.retry")}</Button>
      </Space>
    );
  if (props.empty?.(query.data)) return <Empty description={t("state.empty")} />;
  return <>{props.children(query.data)}</>;
}
