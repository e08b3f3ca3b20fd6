import { Tag } from "antd";
import type { ReactNode } from "react";

/**
 * A status tag whose colour says how it stands. Dark solid colours with white text: Ant Design's
 * light preset tags (green, orange…) fall short of WCAG AA contrast.
 */
const TONES = { good: "#135200", bad: "#a8071a", warn: "#873800", info: "#003eb3" } as const;
export type Tone = keyof typeof TONES;

export function ToneTag({ tone, children }: { tone?: Tone; children: ReactNode }) {
  return <Tag color={tone ? TONES[tone] : undefined}>{children}</Tag>;
}
