import { Space, Typography } from "antd";

/**
 * A table cell's value, and what it adds beneath it in secondary text when there is something:
 * a second line rather than a wider column, so payment tables fit a 1366-pixel laptop.
 */
export function TwoLines({ first, second }: { first: string; second: string | null }) {
  return (
    <Space orientation="vertical" size={0}>
      {first}
      {second !== null && <Typography.Text type="secondary">{second}</Typography.Text>}
    </Space>
  );
}
