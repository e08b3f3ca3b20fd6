import { useInfiniteQuery } from "@tanstack/react-query";
import { Button, Space, Table, Typography, type TableColumnsType } from "antd";
import { useI18n } from "../i18n/i18n";
import { api, withQuery } from "../lib/api";
import { ErrorAlert } from "./ErrorAlert";

/**
 * A list the API pages with cursors (`{ items, nextCursor }`): the first page, and "load more"
 * for the next, as long as there is one. `query` narrows the list (its filters).
 */
export function CursorTable<T extends object>(props: {
  path: string;
  query?: Record<string, string | number | undefined>;
  columns: TableColumnsType<T>;
  rowKey: keyof T & string;
  pageSize?: number;
  /** Names the table for tests and screen readers. */
  label: string;
  /** What an empty list says, in place of the generic "No data". */
  empty?: string;
}) {
  const { t } = useI18n();
  const pageSize = props.pageSize ?? 20;
  const list = useInfiniteQuery({
    queryKey: [props.path, props.query ?? {}, pageSize],
    queryFn: ({ pageParam }) =>
      api.get<{ items: T[]; nextCursor: string | null }>(
        withQuery(props.path, { ...props.query, limit: pageSize, cursor: pageParam }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (list.error) return <ErrorAlert error={list.error} />;
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  // A row's actions, when they are the last column, stay at the table's right edge: a table wider
  // than the screen (a supplier's orders on a 1366-pixel laptop) scrolls sideways beneath them
  // instead of hiding them. An actions column elsewhere would float over the columns after it.
  const last = props.columns.length - 1;
  const columns = props.columns.map((c, i) =>
    i === last && c.key === "actions" ? { ...c, fixed: "right" as const } : c,
  );
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Table<T>
        aria-label={props.label}
        size="small"
        loading={list.isPending}
        columns={columns}
        dataSource={rows}
        rowKey={props.rowKey}
        pagination={false}
        scroll={{ x: "max-content" }}
        locale={
          props.empty === undefined
            ? undefined
            : { emptyText: <Typography.Text type="secondary">{props.empty}</Typography.Text> }
        }
      />
      {list.hasNextPage && (
        <Button onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t("list.more")}
        </Button>
      )}
    </Space>
  );
}
