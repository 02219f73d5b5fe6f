// The price chart of the selected actor's symbol, drawn with uPlot (served by the daemon): mark price, fills as
// markers, the selected position's stop and take-profits as step lines over time, a trailing stop's high-water
// mark; below it the account's equity and drawdown. Refreshed once a second from /inspector/prices while shown.
// Floats here only place pixels: every figure the page prints comes from the decimal strings.
import { loadScript } from './scripts.js';
const REFRESH_MS = 1000;

/** Values at each time of `times`, carried forward from the last change (a step line); null before the first. */
function stepped(times, points) {
  const values = new Array(times.length).fill(null);
  let index = 0;
  let current = null;
  for (let t = 0; t < times.length; t++) {
    while (index < points.length && points[index].at / 1000 <= times[t]) {
      current = points[index].value === null ? null : Number(points[index].value);
      index++;
    }
    values[t] = current;
  }
  return values;
}

function atTimes(times, points, valueOf) {
  const byTime = new Map();
  for (const point of points) byTime.set(point.at / 1000, valueOf(point));
  return times.map((time) => (byTime.has(time) ? byTime.get(time) : null));
}

export class PriceChart {
  constructor(container, get) {
    this.container = container;
    this.get = get;
    this.symbol = undefined;
    this.positionId = undefined;
    this.timer = undefined;
    this.plots = [];
    this.signature = '';
  }

  /** Shows `symbol` (and `positionId`'s lines); a no-op when already shown. */
  show(symbol, positionId, instrument) {
    if (this.symbol === symbol && this.positionId === positionId) return;
    this.symbol = symbol;
    this.positionId = positionId;
    this.instrument = instrument;
    this.signature = '';
    void this.refresh();
  }

  /** New nodes arrived: refresh soon (at most once per REFRESH_MS). */
  observe() {
    if (this.timer !== undefined || this.symbol === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, REFRESH_MS);
  }

  async refresh() {
    if (this.symbol === undefined) return;
    const symbol = this.symbol;
    let series;
    try {
      await loadScript('uPlot.iife.min.js');
      ({ series } = await this.get(`/inspector/prices?symbol=${encodeURIComponent(symbol)}`));
    } catch {
      return;
    }
    if (symbol !== this.symbol) return;
    this.draw(series);
  }

  draw(series) {
    const position = this.positionId === undefined ? undefined : series.positions[this.positionId];
    const stops = position?.stop ?? [];
    const levels = position?.takeProfits ?? [];
    const watermark = position?.watermark ?? [];
    const signature = JSON.stringify([series.mark.length, series.fills.length, series.equity.length, stops.length, levels.map((l) => l.length), watermark.length, this.positionId]);
    if (signature === this.signature) return;
    this.signature = signature;
    const stamps = new Set();
    for (const list of [series.mark, series.fills, stops, watermark, ...levels]) for (const point of list) stamps.add(point.at / 1000);
    const times = [...stamps].sort((a, b) => a - b);
    const data = [
      times,
      stepped(times, series.mark),
      atTimes(times, series.fills, (fill) => Number(fill.price)),
      stepped(times, stops),
      ...levels.map((level) => stepped(times, level)),
      stepped(times, watermark),
    ];
    const step = globalThis.uPlot.paths.stepped({ align: 1 });
    const width = Math.max(300, this.container.clientWidth || 600);
    const options = {
      title: `${series.symbol}${this.positionId ? ` · ${this.positionId}` : ''}`,
      width,
      height: 220,
      scales: { x: { time: true } },
      series: [
        {},
        { label: 'mark', stroke: '#1d4ed8', width: 1.5, paths: step, points: { show: false } },
        { label: 'fills', stroke: '#7a3fb0', paths: () => null, points: { show: true, size: 9, fill: '#7a3fb0' } },
        { label: 'stop', stroke: '#c2410c', width: 2, dash: [6, 3], paths: step, points: { show: false } },
        ...levels.map((_, level) => ({ label: `take-profit ${level + 1}`, stroke: '#15803d', width: 2, dash: [6, 3], paths: step, points: { show: false } })),
        { label: 'high-water', stroke: '#a16207', width: 1, paths: step, points: { show: false } },
      ],
      axes: [{}, { size: 70 }],
      legend: { live: true },
    };
    const equityTimes = series.equity.map((point) => point.at / 1000);
    let peak = -Infinity;
    const equity = series.equity.map((point) => Number(point.value));
    const drawdown = equity.map((value) => {
      peak = Math.max(peak, value);
      return peak > 0 ? ((value - peak) / peak) * 100 : 0;
    });
    const equityOptions = {
      title: 'equity and drawdown',
      width,
      height: 140,
      scales: { x: { time: true }, percent: { auto: true } },
      series: [
        {},
        { label: 'equity', stroke: '#0f766e', width: 1.5, paths: step, points: { show: false } },
        { label: 'drawdown %', stroke: '#b91c1c', scale: 'percent', width: 1, paths: step, points: { show: false } },
      ],
      axes: [{}, { size: 80 }, { scale: 'percent', side: 1, size: 50 }],
    };
    for (const plot of this.plots) plot.destroy();
    this.container.replaceChildren();
    this.plots = [
      new globalThis.uPlot(options, data, this.container),
      new globalThis.uPlot(equityOptions, [equityTimes, equity, drawdown], this.container),
    ];
    // What the chart shows, as data for tests and screen readers (the canvas is not readable).
    const lastStop = stops.at(-1)?.value;
    this.container.dataset.symbol = series.symbol;
    this.container.dataset.markPoints = String(series.mark.length);
    this.container.dataset.fillPoints = String(series.fills.length);
    this.container.dataset.stopPoints = String(stops.filter((point) => point.value !== null).length);
    this.container.dataset.stop = lastStop ?? '';
    this.container.dataset.stopHistory = stops.filter((point) => point.value !== null).map((point) => point.value).join(' ');
    this.container.dataset.watermark = watermark.at(-1)?.value ?? '';
    this.container.setAttribute('aria-label', `price chart of ${series.symbol}: ${series.mark.length} mark prices, ${series.fills.length} fills${lastStop ? `, stop at ${lastStop} after ${stops.length} changes` : ''}`);
  }
}
