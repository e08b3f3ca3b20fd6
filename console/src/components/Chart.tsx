import type { EChartsOption } from "echarts";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

// Only what the console's charts draw (bars and lines on a grid, a legend, an axis tooltip): the
// whole of ECharts is three times the size.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** An ECharts chart that follows its option and its container's width. */
export function Chart({
  option,
  height = 280,
  label,
}: {
  option: EChartsOption;
  height?: number;
  label: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.EChartsType | null>(null);
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
    // ECharts' own aria would name the chart a second time, with a description it writes itself.
    chart.current?.setOption({ ...option, aria: { enabled: false } }, true);
  }, [option]);
  // ECharts writes its own generated description into its element's aria-label: the name we
  // give sits on a wrapper, where it stays.
  return (
    <div role="img" aria-label={label}>
      <div ref={element} style={{ width: "100%", height }} />
    </div>
  );
}
