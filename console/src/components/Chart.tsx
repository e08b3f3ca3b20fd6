import * as echarts from "echarts";
import { useEffect, useRef } from "react";

/** An ECharts chart that follows its option and its container's width. */
export function Chart({
  option,
  height = 280,
  label,
}: {
  option: echarts.EChartsOption;
  height?: number;
  label: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    chart.current = echarts.init(element.current!);
    const resize = new ResizeObserver(() => chart.current?.resize());
    resize.observe(element.current!);
    return () => {
      resize.disconnect();
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, ...option }, true);
  }, [option]);
  return <div ref={element} role="img" aria-label={label} style={{ width: "100%", height }} />;
}
