// The report page's script (inlined into report.html): draws the charts with uPlot and fills the tables
// from the report JSON embedded in the page. Plain browser JavaScript: the page opens offline, from disk.
/* global uPlot */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const reports = data.compare ? [data.a, data.b] : [data];
  const seconds = (time) => time / 1000;
  const number = (text) => (text === null || text === undefined ? null : Number(text));
  const width = () => Math.max(320, Math.min(1200, document.body.clientWidth - 48));
  const charts = [];

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children || []) node.append(child);
    return node;
  }

  function chart(container, title, options, series) {
    const box = element('div', { class: 'chart', 'data-chart': title });
    box.append(element('h3', {}, [title]));
    container.append(box);
    const plot = new uPlot({ width: width(), height: 260, axes: [{}, { size: 90 }], ...options }, series, box);
    charts.push(plot);
    return plot;
  }

  function table(container, headers, rows) {
    const head = element('tr', {}, headers.map((header) => element('th', {}, [header])));
    const body = rows.map((row) => element('tr', {}, row.map((cell) => element('td', {}, [cell === null || cell === undefined ? '–' : String(cell)]))));
    container.append(element('table', {}, [element('thead', {}, [head]), element('tbody', {}, body)]));
  }

  /** Equity and drawdown, one line per report (compared runs over elapsed time, so different periods align). */
  function equityCharts(container) {
    const times = new Set();
    const elapsed = data.compare;
    for (const report of reports) for (const point of report.equity) times.add(elapsed ? point.time - report.equity[0].time : point.time);
    const xs = [...times].sort((a, b) => a - b);
    const at = (report, field) => {
      const byTime = new Map(report.equity.map((point) => [elapsed ? point.time - report.equity[0].time : point.time, number(point[field])]));
      return xs.map((time) => (byTime.has(time) ? byTime.get(time) : null));
    };
    const colors = ['#2563eb', '#d97706'];
    const series = (label) => reports.map((report, index) => ({ label: reports.length > 1 ? `${label} ${index === 0 ? 'A' : 'B'}` : label, stroke: colors[index], width: 1.5, spanGaps: true }));
    const x = elapsed ? xs.map((time) => time / 3_600_000) : xs.map(seconds);
    const axis = elapsed ? { scales: { x: { time: false } }, axes: [{ label: 'hours from start' }, { size: 90 }] } : {};
    chart(container, `Equity (${reports[0].quote})`, { ...axis, series: [{}, ...series('equity')] }, [x, ...reports.map((report) => at(report, 'equity'))]);
    chart(container, 'Drawdown (fraction of peak)', { ...axis, series: [{}, ...series('drawdown')] }, [x, ...reports.map((report) => at(report, 'drawdownFraction').map((value) => (value === null ? null : -value)))]);
  }

  /** Per symbol: the sampled price, and fills, stops and take-profits as points at their times. */
  function priceCharts(container, report) {
    for (const symbol of Object.keys(report.prices)) {
      const layers = [
        { label: 'price', points: report.prices[symbol].map((point) => [point.time, number(point.price)]), style: { stroke: '#334155', width: 1, spanGaps: true, points: { show: false } } },
        { label: 'buy fills', points: report.fills.filter((fill) => fill.symbol === symbol && fill.side === 'buy').map((fill) => [fill.time, number(fill.price)]), style: marks('#16a34a', 7) },
        { label: 'sell fills', points: report.fills.filter((fill) => fill.symbol === symbol && fill.side === 'sell').map((fill) => [fill.time, number(fill.price)]), style: marks('#dc2626', 7) },
        { label: 'stops', points: report.stops.filter((mark) => mark.symbol === symbol).map((mark) => [mark.time, number(mark.price)]), style: marks('#f97316', 5) },
        { label: 'take-profits', points: report.takeProfits.filter((mark) => mark.symbol === symbol).map((mark) => [mark.time, number(mark.price)]), style: marks('#7c3aed', 5) },
      ];
      const xs = [...new Set(layers.flatMap((layer) => layer.points.map(([time]) => time)))].sort((a, b) => a - b);
      const columns = layers.map((layer) => {
        const byTime = new Map(layer.points);
        return xs.map((time) => (byTime.has(time) ? byTime.get(time) : null));
      });
      chart(container, `${symbol}: price, fills, stops and take-profits`, { series: [{}, ...layers.map((layer) => ({ label: layer.label, ...layer.style }))] }, [xs.map(seconds), ...columns]);
    }
  }

  function marks(color, size) {
    return { stroke: color, fill: color, paths: () => null, points: { show: true, size, stroke: color, fill: color } };
  }

  const STATISTICS = [
    ['startingEquity', 'starting equity'], ['endingEquity', 'ending equity'], ['totalReturn', 'total return'], ['annualizedReturn', 'annualised return'],
    ['volatility', 'volatility (annualised)'], ['sharpeRatio', 'Sharpe'], ['sortinoRatio', 'Sortino'], ['calmarRatio', 'Calmar'],
    ['maxDrawdown', 'max drawdown'], ['maxDrawdownFraction', 'max drawdown (fraction)'], ['maxDrawdownDurationMs', 'max drawdown duration'],
    ['trades', 'trades'], ['winRate', 'win rate'], ['profitFactor', 'profit factor'], ['expectancy', 'expectancy'], ['averageWin', 'average win'],
    ['averageLoss', 'average loss'], ['bestTrade', 'best trade'], ['worstTrade', 'worst trade'], ['totalPnl', 'total PnL'], ['exposure', 'exposure'],
    ['fees', 'fees'], ['turnover', 'turnover'], ['turnoverRatio', 'turnover / starting equity'],
  ];

  function duration(ms) {
    if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
    if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
    if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
    return `${(ms / 86_400_000).toFixed(1)} d`;
  }

  function statistic(report, key) {
    const value = report.statistics[key];
    return key === 'maxDrawdownDurationMs' ? duration(value) : value;
  }

  function iso(time) {
    return new Date(time).toISOString().replace('T', ' ').slice(0, 19);
  }

  function section(title) {
    const node = element('section', {}, [element('h2', {}, [title])]);
    document.getElementById('content').append(node);
    return node;
  }

  function executionRows(report) {
    const row = executionRow;
    return [row('all orders', report.execution.overall), ...report.execution.byKind.map((group) => row(group.kind, group.summary))];
  }
  // Reports written before execution was grouped per algorithm have no byAlgorithm.
  function algorithmRows(report) {
    return (report.execution.byAlgorithm || []).map((group) => executionRow(group.algorithm, group.summary));
  }
  function executionRow(name, summary) {
    return [name, summary.orders, summary.filledOrders, summary.fillRate, summary.slippageBasisPoints && summary.slippageBasisPoints.mean, summary.slippageBasisPoints && summary.slippageBasisPoints.weighted, summary.slippageCost, summary.timeToFirstFillMs && summary.timeToFirstFillMs.median];
  }
  const ALGORITHM_HEADERS = ['algorithm', 'count', 'filled', 'fill rate', 'slippage mean (bps)', 'slippage weighted (bps)', 'slippage cost', 'median ms to first fill'];
  const EXECUTION_HEADERS = ['orders', 'count', 'filled', 'fill rate', 'slippage mean (bps)', 'slippage weighted (bps)', 'slippage cost', 'median ms to first fill'];

  if (data.compare) {
    document.getElementById('title').textContent = `Comparison: ${data.a.title} vs ${data.b.title}`;
    table(section('Statistics side by side'), ['', 'A', 'B', 'B − A'], STATISTICS.map(([key, label]) => {
      const a = statistic(data.a, key);
      const b = statistic(data.b, key);
      const difference = typeof data.differences[key] === 'string' ? data.differences[key] : null;
      return [label, a, b, difference];
    }));
    equityCharts(section('Equity and drawdown'));
    table(section('Execution quality, A'), EXECUTION_HEADERS, executionRows(data.a));
    table(section('Execution quality, B'), EXECUTION_HEADERS, executionRows(data.b));
    table(section('Execution quality per algorithm, A'), ALGORITHM_HEADERS, algorithmRows(data.a));
    table(section('Execution quality per algorithm, B'), ALGORITHM_HEADERS, algorithmRows(data.b));
  } else {
    const report = data;
    document.getElementById('title').textContent = report.title;
    const headline = element('p', { class: 'headline' }, [
      `${iso(report.statistics.start)} to ${iso(report.statistics.end)} UTC · return ${report.statistics.totalReturn} · Sharpe ${report.statistics.sharpeRatio ?? '–'} · max drawdown ${report.statistics.maxDrawdown} ${report.quote} · ${report.statistics.trades} trades · win rate ${report.statistics.winRate ?? '–'}`,
    ]);
    document.getElementById('content').append(headline);
    equityCharts(section('Equity and drawdown'));
    const prices = section('Prices, fills, stops and take-profits');
    priceCharts(prices, report);
    if (report.marksDropped > 0) prices.append(element('p', {}, [`${report.marksDropped} marks beyond the chart limit are not drawn (every trade is in the tables).`]));
    table(section('Statistics'), ['statistic', 'value'], STATISTICS.map(([key, label]) => [label, statistic(report, key)]));
    const about = section('Run');
    table(about, ['', ''], [
      ['strategy', report.strategy], ['source', report.source], ['period', `${iso(report.statistics.start)} to ${iso(report.statistics.end)} UTC`],
      ['rows replayed', report.rows.toLocaleString('en-US')], ['data', report.data.join(', ') || '–'], ['open positions at the end', report.openPositions],
    ]);
    if (report.warnings.length > 0) about.append(element('ul', { class: 'warnings' }, report.warnings.map((warning) => element('li', {}, [warning]))));
    const groups = (rows) => rows.map((row) => [row.key, row.trades, row.wins, row.winRate, row.totalPnl, row.averagePnl, row.fees]);
    table(section('Per symbol'), ['symbol', 'trades', 'wins', 'win rate', 'PnL', 'average PnL', 'fees'], groups(report.bySymbol));
    table(section('Per exit reason'), ['exit reason', 'trades', 'wins', 'win rate', 'PnL', 'average PnL', 'fees'], groups(report.byExitReason));
    table(section('Execution quality (slippage against the arrival price)'), EXECUTION_HEADERS, executionRows(report));
    table(section('Execution quality per algorithm'), ALGORITHM_HEADERS, algorithmRows(report));
    table(section(`Trades (${report.trades.length})`), ['position', 'symbol', 'side', 'entry time', 'entry', 'exit time', 'exit', 'quantity', 'fees', 'PnL', 'exit reason'],
      report.trades.map((trade) => [trade.id, trade.symbol, trade.side === 'buy' ? 'long' : 'short', iso(trade.entryTime), trade.entryPrice, iso(trade.exitTime), trade.exitPrice, trade.quantity, trade.fees, trade.realizedPnl, trade.exitReason]));
  }
  window.addEventListener('resize', () => charts.forEach((plot) => plot.setSize({ width: width(), height: 260 })));
  document.body.dataset.charts = String(charts.length);
})();
