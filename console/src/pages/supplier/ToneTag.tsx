import { Tag } from "antd";
import type { ReactNode } from "react";
import { TAG, type Tone } from "../../components/tag-colours";

export type { Tone };

/** A status tag whose colour says how it stands (colours that pass WCAG AA: tag-colours.ts). */
export function ToneTag({ tone, children, wrap }: { tone?: Tone; children: ReactNode; wrap?: boolean }) {
  return (
    <Tag color={tone ? TAG[tone] : undefined} style={wrap ? { whiteSpace: "normal" } : undefined}>
      {children}
    </Tag>
  );
}
