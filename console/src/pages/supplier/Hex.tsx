import { Typography } from "antd";
import { short } from "../../lib/format";

/** An address or hash in a table cell: short on screen, whole in its title and when copied. */
export function Hex({ value }: { value: string }) {
  return (
    <Typography.Text
      copyable={{ text: value }}
      title={value}
      style={{ fontFamily: "monospace", whiteSpace: "nowrap" }}
    >
      {short(value)}
    </Typography.Text>
  );
}
