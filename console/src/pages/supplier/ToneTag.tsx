import { Tag } from "antd";
import type { ReactNode } from "react";
import { TAG, type Tone } from "../../components/tag-colours";

export type { Tone };

/** A status tag whose colour says how it stands (colours that pass WCAG AA: tag-colours.ts). */
export function ToneTag({ tone, children }: { tone?: Tone; children: ReactNode }) {
  return <Tag color={tone ? TAG[tone] : undefined}>{children}</Tag>;
}
