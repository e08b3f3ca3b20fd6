import { Typography } from "antd";
import { short } from "../lib/format";
import { useNames } from "../lib/names";
import { Hex } from "./Hex";

/**
 * A supplier, bidder or hospital by its name, with its short address beside it (the whole
 * address in the title and when copied); just the address while no name is known.
 */
export function PartyName({ address, testId }: { address: string; testId?: string }) {
  const name = useNames()(address);
  if (name === undefined) return <Hex value={address} testId={testId} />;
  return (
    <Typography.Text
      copyable={{ text: address }}
      title={address}
      data-testid={testId}
      style={{ wordBreak: "break-word" }}
    >
      {name}{" "}
      <Typography.Text type="secondary" style={{ whiteSpace: "nowrap", fontSize: 12 }}>
        {short(address)}
      </Typography.Text>
    </Typography.Text>
  );
}
