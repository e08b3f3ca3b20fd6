import { Typography } from "antd";
import { short } from "../lib/format";

/** An address or hash: short on screen, whole in its title and when copied; never wraps. */
export function Hex({ value, testId }: { value: string; testId?: string }) {
  return (
    <Typography.Text
      code
      copyable={{ text: value }}
      title={value}
      data-testid={testId}
      style={{ whiteSpace: "nowrap" }}
    >
      {short(value)}
    </Typography.Text>
  );
}
