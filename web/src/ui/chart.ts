import * as echarts from 'echarts/core'
import { BarChart } from 'echarts/charts'
import { GridComponent, MarkAreaComponent, TooltipComponent, AriaComponent, DataZoomComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import type { PlanState } from '../ops/types.js'
import { bandStatus } from '../ops/live.js'
import { gridWeights } from '../ops/state.js'
import type { I18n } from '../i18n/index.js'
import { formatCount } from '../i18n/index.js'

echarts.use([BarChart, GridComponent, MarkAreaComponent, TooltipComponent, AriaComponent, DataZoomComponent, CanvasRenderer])

// Under / ok / over differ in lightness and pattern (decal), not only in hue, so they read in greyscale.
const STATUS_STYLE = {
  under: { color: '#9ecae1', decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: Math.PI / 4, color: 'rgba(0,0,0,0.35)' } },
  ok: { color: '#4a4a4a', decal: undefined },
  over: { color: '#e6550d', decal: { symbol: 'circle', symbolSize: 0.6, dashArrayX: [3, 2], dashArrayY: [3, 2], color: 'rgba(0,0,0,0.45)' } },
  empty: { color: '#dddddd', decal: undefined },
} as const

/** Every grid's weight as a bar against the band (shaded), updated in place as the brush moves. */
export class BandChart {
  private chart: echarts.ECharts
  private order: number[] = []
  constructor(
    el: HTMLElement,
    private readonly i18n: I18n,
    private readonly onPick: (grid: number) => void,
  ) {
    this.chart = echarts.init(el, undefined, { renderer: 'canvas' })
    this.chart.on('click', (p) => {
      const g = this.order[p.dataIndex as number]
      if (g !== undefined) this.onPick(g)
    })
    new ResizeObserver(() => this.chart.resize()).observe(el)
  }

  update(s: PlanState, selected: number) {
    const w = gridWeights(s)
    this.order = s.grids.map((_, i) => i).filter((i) => !s.grids[i]!.removed).sort((a, b) => s.grids[a]!.code.localeCompare(s.grids[b]!.code))
    const t = this.i18n.t
    const lang = this.i18n.lang
    const data = this.order.map((g) => {
      const st = bandStatus(w[g]!, s.gridUnits[g]!, s.band).status
      const style = STATUS_STYLE[st]
      return {
        value: w[g]!,
        itemStyle: { color: style.color, decal: style.decal, borderColor: g === selected ? '#0050d0' : undefined, borderWidth: g === selected ? 2 : 0 },
      }
    })
    const hasBand = s.band.max < Number.MAX_SAFE_INTEGER
    this.chart.setOption(
      {
        aria: { enabled: true, decal: { show: true } },
        animation: false,
        grid: { left: 48, right: 8, top: 8, bottom: 24 },
        tooltip: {
          trigger: 'axis',
          formatter: (ps: unknown) => {
            const p = (ps as Array<{ dataIndex: number }>)[0]!
            const g = this.order[p.dataIndex]!
            return `${s.grids[g]!.code}: ${formatCount(w[g]!, lang)}`
          },
        },
        xAxis: { type: 'category', data: this.order.map((g) => s.grids[g]!.code), axisLabel: { show: this.order.length <= 30, fontSize: 9, rotate: 60 } },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCount(v, lang), fontSize: 10 } },
        dataZoom: this.order.length > 120 ? [{ type: 'inside' }] : [],
        series: [
          {
            type: 'bar',
            name: t(s.band.on === 'households' ? 'live.households' : 'live.population'),
            data,
            barCategoryGap: '15%',
            markArea: hasBand
              ? { silent: true, itemStyle: { color: 'rgba(60,160,60,0.15)', borderColor: '#2e7d32', borderType: 'dashed', borderWidth: 1 }, data: [[{ yAxis: s.band.min }, { yAxis: s.band.max }]] }
              : undefined,
          },
        ],
      },
      { replaceMerge: ['series', 'dataZoom'] },
    )
  }

  resize() {
    this.chart.resize()
  }
}
