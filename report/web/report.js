// silico's report page: decodes the data build_report embedded (report/src/report_data.cpp) and draws each
// figure with ECharts. Runs in the browser (the report, one figure's page) and in Node.js (render_svg.js:
// ECharts' server-side SVG rendering for `silico plot ... -o FILE.svg`); the same option builders serve both.
// Numeric arrays arrive as base64 little-endian float32.
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.SilicoReport = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // Series colours are saturated, axes and text grey: the browser test tells drawn data from axes by that.
  const COLORS = { psth: '#c0392b', raster: '#1f4e9c', trace: '#1f6fb4', mean: '#b03a2e', band: '#e59866' };
  const HEAT = ['#f7fbff', '#6baed6', '#2171b5', '#08306b', '#e6550d', '#a50f15'];
  const DENSITY = ['#deebf7', '#6baed6', '#2171b5', '#08519c', '#f16913', '#d94801', '#7f2704'];

  function f32(b64) {
    if (!b64) return new Float32Array(0);
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; ++i) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }

  // Four significant digits at most, no trailing zeros, no exponent for the ranges shown here.
  function fmt(x) {
    return Number.isInteger(x) ? String(x) : String(parseFloat(x.toPrecision(4)));
  }

  // The labels of a category axis of bins `step` wide: bin centres rounded to the bins' own resolution
  // (-64.5 mV bins label as -64 or -65, not -64.58), the tooltips keep fmt's four digits.
  function tick(step) {
    const digits = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)));
    return (v) => String(parseFloat(Number(v).toFixed(digits)));
  }

  function base(title, extra) {
    return Object.assign(
      {
        animation: false,
        title: { text: title, left: 'center', textStyle: { fontSize: 13, fontWeight: 'normal', color: '#333' } },
        grid: { left: 64, right: 28, top: 36, bottom: 48 },
        tooltip: { trigger: 'item', confine: true },
      },
      extra
    );
  }

  function valueAxis(name, extra) {
    // The x axis stays at the bottom (not at y = 0, which would cross the traces); labels are rounded.
    return Object.assign(
      { type: 'value', name: name, nameLocation: 'middle', nameGap: 30, scale: true,
        axisLine: { onZero: false }, axisLabel: { formatter: fmt } },
      extra
    );
  }

  function zoom() {
    return [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }];
  }

  function psthOption(fig) {
    const p = fig.group.psth;
    const values = f32(p.values);
    const data = new Array(values.length);
    for (let k = 0; k < values.length; ++k) data[k] = [p.from + (k + 0.5) * p.bin, values[k]];
    return base('PSTH (' + fmt(p.bin) + ' ms bins)', {
      tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v) + ' spikes/trial' },
      xAxis: valueAxis('time (ms)', { min: fig.range.from, max: fig.range.to, scale: false }),
      yAxis: valueAxis('spikes per trial and bin', { nameGap: 44, scale: false }),
      dataZoom: zoom(),
      series: [
        {
          type: 'bar', data: data, barWidth: '100%', barCategoryGap: 0, itemStyle: { color: COLORS.psth },
          markArea: {
            silent: true, itemStyle: { color: 'rgba(120,120,120,0.12)' },
            data: [[{ xAxis: fig.window.from }, { xAxis: fig.window.to }]],
          },
        },
      ],
    });
  }

  function rasterOption(fig) {
    const r = fig.group.raster;
    const t = f32(r.t), y = f32(r.y);
    const data = new Array(t.length);
    for (let i = 0; i < t.length; ++i) data[i] = [t[i], y[i]];
    return base('Raster (' + fig.group.trials + ' trials, ' + r.spikes + ' spikes)', {
      xAxis: valueAxis('time (ms)', { min: fig.range.from, max: fig.range.to, scale: false }),
      yAxis: valueAxis('trial', { min: 0, max: Math.max(1, fig.group.trials), inverse: true, nameGap: 44 }),
      dataZoom: zoom(),
      series: [
        {
          type: 'scatter', data: data, symbolSize: fig.group.trials > 500 ? 2 : 4, large: true,
          largeThreshold: 2000, itemStyle: { color: COLORS.raster },
        },
      ],
    });
  }

  function linesOption(fig, tr) {
    const t = f32(tr.t);
    const series = tr.lines.map(function (b64) {
      const v = f32(b64);
      const data = new Array(v.length);
      for (let i = 0; i < v.length; ++i) data[i] = [t[i], v[i]];
      return {
        type: 'line', data: data, showSymbol: false, silent: true, sampling: 'lttb',
        lineStyle: { width: 0.8, opacity: tr.lines.length > 10 ? 0.35 : 0.7, color: COLORS.trace },
      };
    });
    return base('Soma Vm, ' + tr.trials + ' trials overlaid', {
      xAxis: valueAxis('time (ms)', { min: t[0], max: t[t.length - 1], scale: false }),
      yAxis: valueAxis('Vm (mV)', { nameGap: 40 }),
      dataZoom: zoom(),
      series: series,
    });
  }

  // Thousands of traces: each cell counts the trials whose line passes through it (analysis'
  // query_trace_density).
  function densityOption(fig, tr) {
    const d = tr.density;
    const counts = f32(d.counts);
    const dt = (d.t1 - d.t0) / d.nt, dv = (d.vmax - d.vmin) / d.nv;
    const cells = {
      nx: d.nt, ny: d.nv, x0: d.t0, dx: dt, y0: d.vmin, dy: dv, colors: DENSITY,
      value: (i, j) => counts[i * d.nv + j],
      xLabel: (i) => fmt(d.t0 + (i + 0.5) * dt), yLabel: (j) => fmt(d.vmin + (j + 0.5) * dv),
      xTick: tick(dt), yTick: tick(dv), xName: 'time (ms)', yName: 'Vm (mV)',
      tip: (i, j, c) => cells.xLabel(i) + ' ms, ' + cells.yLabel(j) + ' mV: ' + c + ' trials',
    };
    const max = Math.max(1, cellsMax(cells));
    return cellsOption('Soma Vm of ' + tr.trials + ' trials: trials per cell (up to ' + max + ', √ colour scale)',
                       cells, max);
  }

  function tracesOption(fig) {
    const tr = fig.group.traces;
    return tr.mode === 'lines' ? linesOption(fig, tr) : densityOption(fig, tr);
  }

  function meanSdOption(fig) {
    const m = fig.group.mean_sd;
    const t = f32(m.t), mean = f32(m.mean), sd = f32(m.sd);
    const lower = [], band = [], line = [];
    for (let i = 0; i < t.length; ++i) {
      lower.push([t[i], mean[i] - sd[i]]);
      band.push([t[i], 2 * sd[i]]);
      line.push([t[i], mean[i]]);
    }
    return base('Soma Vm, mean ± SD of ' + fig.group.trials + ' trials', {
      tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v) + ' mV' },
      xAxis: valueAxis('time (ms)', { min: t[0], max: t[t.length - 1], scale: false }),
      yAxis: valueAxis('Vm (mV)', { nameGap: 40 }),
      dataZoom: zoom(),
      series: [
        { name: 'mean − SD', type: 'line', data: lower, stack: 'sd', stackStrategy: 'all', showSymbol: false, lineStyle: { opacity: 0 },
          tooltip: { show: false }, silent: true },
        { name: '2 SD', type: 'line', data: band, stack: 'sd', stackStrategy: 'all', showSymbol: false, lineStyle: { opacity: 0 },
          areaStyle: { color: COLORS.band, opacity: 0.55 }, silent: true },
        { name: 'mean', type: 'line', data: line, showSymbol: false, lineStyle: { width: 1.2, color: COLORS.mean } },
      ],
    });
  }

  function heatmapOption(fig, panel) {
    const h = fig.group.heatmap;
    const p = h.panels[panel || 0];
    const values = f32(p.values);
    const cells = {
      nx: h.nt, ny: h.nd, x0: h.t0, dx: h.tbin, y0: h.d0, dy: h.dbin, colors: HEAT,
      value: (i, j) => values[j * h.nt + i],
      xLabel: (i) => fmt(h.t0 + i * h.tbin), yLabel: (j) => fmt(h.d0 + j * h.dbin),
      xName: 'time (ms, ' + fmt(h.tbin) + ' ms bins)', yName: 'soma distance (µm)',
      tip: (i, j, v) => cells.xLabel(i) + ' ms, ' + cells.yLabel(j) + ' µm: ' + fmt(v) + ' per trial',
    };
    const max = cellsMax(cells);
    return cellsOption('Synapse activations per trial: ' + p.name + ' (up to ' + fmt(max) + ', √ colour scale)',
                       cells, max || 1);
  }

  // ----- grids of cells (the trace density, the synapse heat map): nx × ny cells of dx × dy from (x0, y0),
  // cell (i, j) holding value(i, j) ≥ 0, coloured on a square-root scale up to `max` so that the evoked peak
  // does not wash out single trials; empty cells stay blank.

  function cellsMax(c) {
    let max = 0;
    for (let i = 0; i < c.nx; ++i)
      for (let j = 0; j < c.ny; ++j) max = Math.max(max, c.value(i, j));
    return max;
  }

  // In the browser the cells are one image. ECharts' heatmap series draws a rectangle per cell and (6.1)
  // marks every one for incremental painting, 15 ms of them per animation frame, so the 20,000 cells of
  // 1,000 traces were still being painted long after the page said it was drawn; an image is painted by
  // one drawImage and zooms with its axes. Node.js (`silico plot ... -o FILE.svg`) has no canvas, and
  // ECharts' SVG renderer writes every rectangle at once: there the cells stay a heatmap series.
  function cellsOption(title, c, max) {
    return typeof document === 'undefined' ? cellsHeatmap(title, c, max) : cellsImage(title, c, max);
  }

  function cellsHeatmap(title, c, max) {
    const xs = [], ys = [], data = [];
    for (let i = 0; i < c.nx; ++i) xs.push(c.xLabel(i));
    for (let j = 0; j < c.ny; ++j) ys.push(c.yLabel(j));
    for (let i = 0; i < c.nx; ++i) {
      for (let j = 0; j < c.ny; ++j) {
        const v = c.value(i, j);
        if (v > 0) data.push([i, j, Math.sqrt(v), v]);
      }
    }
    const axis = (name, labels, formatter, gap) => ({
      type: 'category', data: labels, name: name, nameLocation: 'middle', nameGap: gap,
      axisLabel: formatter ? { formatter: formatter } : {},
    });
    return base(title, {
      tooltip: { trigger: 'item', formatter: (q) => c.tip(q.value[0], q.value[1], q.value[3]) },
      xAxis: axis(c.xName, xs, c.xTick, 30),
      yAxis: axis(c.yName, ys, c.yTick, 44),
      visualMap: { show: false, min: 0, max: Math.sqrt(max), dimension: 2, inRange: { color: c.colors } },
      dataZoom: zoom(),
      series: [{ type: 'heatmap', data: data, progressive: 0, progressiveThreshold: 1e9 }],
    });
  }

  function cellsImage(title, c, max) {
    const image = paintCells(c, max);
    const x1 = c.x0 + c.nx * c.dx, y1 = c.y0 + c.ny * c.dy;
    return base(title, {
      tooltip: { trigger: 'item', confine: true, formatter: () => cellUnderPointer(c) },
      xAxis: valueAxis(c.xName, { min: c.x0, max: x1, scale: false }),
      yAxis: valueAxis(c.yName, { min: c.y0, max: y1, scale: false, nameGap: 44 }),
      dataZoom: zoom(),
      series: [{
        type: 'custom', clip: true, data: [[c.x0, c.y0, x1, y1]], encode: { x: [0, 2], y: [1, 3] },
        renderItem: function (params, api) {
          const top = api.coord([c.x0, y1]), bottom = api.coord([x1, c.y0]);
          return { type: 'image', style: { image: image, x: top[0], y: top[1], width: bottom[0] - top[0],
                                           height: bottom[1] - top[1] } };
        },
      }],
    });
  }

  // The cells as a canvas, several pixels a cell (copied without smoothing), so that the chart's own
  // scaling of the image blurs only the cells' edges.
  function paintCells(c, max) {
    const ramp = colourRamp(c.colors);
    const cells = document.createElement('canvas');
    cells.width = c.nx;
    cells.height = c.ny;
    const context = cells.getContext('2d');
    const image = context.createImageData(c.nx, c.ny);
    const top = Math.sqrt(max);
    for (let j = 0; j < c.ny; ++j) {
      const row = (c.ny - 1 - j) * c.nx;  // an image's first row is its top: the largest y
      for (let i = 0; i < c.nx; ++i) {
        const v = c.value(i, j);
        if (!(v > 0)) continue;
        const k = Math.min(255, Math.round((255 * Math.sqrt(v)) / top));
        image.data.set(ramp.subarray(4 * k, 4 * k + 4), 4 * (row + i));
      }
    }
    context.putImageData(image, 0, 0);
    const big = document.createElement('canvas');
    big.width = c.nx * Math.max(1, Math.ceil(1600 / c.nx));
    big.height = c.ny * Math.max(1, Math.ceil(800 / c.ny));
    const scaled = big.getContext('2d');
    scaled.imageSmoothingEnabled = false;
    scaled.drawImage(cells, 0, 0, big.width, big.height);
    return big;
  }

  // 256 RGBA colours evenly along the stops, interpolated by the canvas' own linear gradient (as ECharts'
  // visualMap interpolates its inRange colours).
  function colourRamp(stops) {
    const canvas = document.createElement('canvas');
    canvas.width = 256;
    canvas.height = 1;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const gradient = context.createLinearGradient(0, 0, 255, 0);
    stops.forEach((s, k) => gradient.addColorStop(k / (stops.length - 1), s));
    context.fillStyle = gradient;
    context.fillRect(0, 0, 256, 1);
    return context.getImageData(0, 0, 256, 1).data;
  }

  // The pointer's last position over a chart, kept by draw(): ECharts' tooltip of an image knows the
  // series, not the spot, so the cells' tooltip turns this position back into data coordinates.
  let pointer = null;

  function cellUnderPointer(c) {
    if (!pointer) return '';
    const xy = pointer.chart.convertFromPixel({ gridIndex: 0 }, [pointer.x, pointer.y]);
    const i = Math.floor((xy[0] - c.x0) / c.dx), j = Math.floor((xy[1] - c.y0) / c.dy);
    if (!(i >= 0 && j >= 0 && i < c.nx && j < c.ny)) return '';
    return c.tip(i, j, c.value(i, j) || 0);
  }

  const BUILDERS = { psth: psthOption, raster: rasterOption, traces: tracesOption, mean_sd: meanSdOption,
                     heatmap: heatmapOption };
  const ORDER = ['psth', 'raster', 'traces', 'mean_sd', 'heatmap'];

  function figureOption(fig, panel) {
    return BUILDERS[fig.kind](fig, panel);
  }

  // ----- the page (browser only)

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function table(header, rows) {
    const t = el('table');
    const head = el('tr');
    header.forEach((h) => head.appendChild(el('th', {}, h)));
    t.appendChild(head);
    rows.forEach(function (row) {
      const tr = el('tr');
      row.forEach((c) => tr.appendChild(el('td', {}, String(c))));
      t.appendChild(tr);
    });
    return t;
  }

  function windowRow(g) {
    const w = g.window;
    return [g.label, w.trials, w.spiking, (100 * w.fraction).toFixed(1) + ' %'];
  }

  function draw(echarts, container, option) {
    const chart = echarts.init(container, null, { renderer: 'canvas' });
    // Before setOption, so it runs before the tooltip's own handler of the same move.
    chart.getZr().on('mousemove', (e) => { pointer = { chart: chart, x: e.offsetX, y: e.offsetY }; });
    chart.setOption(option);
    chart.getZr().flush();  // paint now, not at the next animation frame: the page is complete when loaded
    return chart;
  }

  function heatmapControls(echarts, box, fig) {
    const select = el('select', { 'aria-label': 'cell type' });
    fig.group.heatmap.panels.forEach((p, i) => select.appendChild(el('option', { value: String(i) }, p.name)));
    const chartBox = el('div', { class: 'silico-chart' });
    box.appendChild(select);
    box.appendChild(chartBox);
    const chart = draw(echarts, chartBox, heatmapOption(fig, 0));
    select.addEventListener('change', function () {
      chart.setOption(heatmapOption(fig, Number(select.value)), true);
      chart.getZr().flush();
    });
    return chart;
  }

  // The section joins the document before its charts are drawn: ECharts sizes a chart by its laid-out box.
  function groupSection(root, data, g, gi, echarts, charts) {
    const section = el('section', { class: 'silico-group', 'data-group': String(gi) });
    root.appendChild(section);
    section.appendChild(el('h2', {}, (data.group_columns || []).join(' / ') + ': ' + g.label + ' (' + g.trials +
                                         ' trials)'));
    const grid = el('div', { class: 'silico-figures' });
    section.appendChild(grid);
    ORDER.forEach(function (kind) {
      if (!g[kind]) return;
      const fig = { kind: kind, group: g, range: data.range, window: data.window };
      const box = el('div', { class: 'silico-figure', 'data-kind': kind, 'data-group': String(gi) });
      grid.appendChild(box);
      if (kind === 'heatmap') {
        charts.push(heatmapControls(echarts, box, fig));
      } else {
        const chartBox = el('div', { class: 'silico-chart' });
        box.appendChild(chartBox);
        charts.push(draw(echarts, chartBox, figureOption(fig)));
      }
    });
    if (data.groups.length > 1) {  // with one group, the page's table above is this one
      section.appendChild(el('h3', {}, 'Spikes in [' + data.window.from + ', ' + data.window.to + ') ms'));
      section.appendChild(table(['group', 'trials', 'with a spike', 'fraction'], [windowRow(g)]));
    }
  }

  function renderPage(data, echarts, root) {
    const charts = [];
    root.appendChild(el('h1', {}, 'silico report: ' + data.title));
    const summary = table(['summary', ''], data.summary);
    summary.classList.add('silico-summary');
    root.appendChild(summary);
    (data.notes || []).forEach((n) => root.appendChild(el('p', { class: 'silico-note' }, n)));
    root.appendChild(el('h2', {}, 'Spikes in [' + data.window.from + ', ' + data.window.to + ') ms, per group'));
    root.appendChild(table(['group', 'trials', 'with a spike', 'fraction'], data.groups.map(windowRow)));
    if (data.animation) charts.push(animationSection(root, data.animation, echarts));
    data.groups.forEach((g, gi) => groupSection(root, data, g, gi, echarts, charts));
    window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
    document.documentElement.setAttribute('data-silico-rendered', String(Math.round(performance.now())));
    return charts;
  }

  // One figure alone, at its given size (the page `silico plot ... -o FILE.png` screenshots).
  function renderFigure(fig, echarts, root) {
    document.body.style.margin = '0';  // the screenshot is the figure's size exactly
    const box = el('div', { class: 'silico-figure silico-alone', 'data-kind': fig.kind, 'data-group': '0' });
    box.style.width = fig.width + 'px';
    box.style.height = fig.height + 'px';
    root.appendChild(box);
    const chart = draw(echarts, box, figureOption(fig));
    document.documentElement.setAttribute('data-silico-rendered', String(Math.round(performance.now())));
    return chart;
  }

  // ----- the dendritic animation (browser only): every segment's value against its soma distance, one
  // frame per sample time of one trial's [record.dendrites] recording (report/src/animation.cpp).
  const LABEL_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

  function animationOption(a, variable) {
    const series = a.labels.map((label, i) => ({
      name: label, type: 'scatter', symbolSize: 4, data: [], itemStyle: { color: LABEL_COLORS[i % LABEL_COLORS.length] },
    }));
    return base(variable.name + ' of every segment against soma distance (trial ' + a.trial + ')', {
      legend: { top: 24, textStyle: { fontSize: 11 } },
      grid: { left: 72, right: 28, top: 60, bottom: 48 },
      tooltip: { trigger: 'item', formatter: (q) => q.seriesName + ', ' + fmt(q.value[0]) + ' µm: ' + fmt(q.value[1]) },
      xAxis: valueAxis('soma distance (µm)', { min: 0, scale: false }),
      // The range is the data's own (frames compare); its unrounded ends are left unlabelled.
      yAxis: valueAxis(variable.name, { min: variable.min, max: variable.max, scale: false, nameGap: 52,
                                        axisLabel: { formatter: fmt, showMinLabel: false, showMaxLabel: false } }),
      series: series,
    });
  }

  // The segments of each label, so a frame only reads its values.
  function segmentsByLabel(a) {
    const labelOf = f32(a.label_of), distance = f32(a.distance);
    const groups = a.labels.map(() => []);
    for (let s = 0; s < a.segments; ++s) groups[labelOf[s]].push(s);
    return { groups: groups, distance: distance };
  }

  function frameSeries(a, segs, values, frame) {
    const base0 = frame * a.segments;
    return segs.groups.map(function (list) {
      const data = [];
      for (const s of list) {
        const v = values[base0 + s];
        if (!Number.isNaN(v)) data.push([segs.distance[s], v]);  // NaN: the segment lacks the variable
      }
      return { data: data };
    });
  }

  // Play, pause, step back and forth, a time slider and the variable; the box's data-frame and
  // data-playing attributes tell the current state (the browser test reads them).
  function animationSection(root, a, echarts) {
    const box = el('section', { class: 'silico-animation', 'data-kind': 'animation', 'data-frame': '0',
                                'data-playing': 'false' });
    root.appendChild(box);
    box.appendChild(el('h2', {}, 'Dendritic animation: trial ' + a.trial + ' (' + a.segments + ' segments, ' +
                                   a.frames + ' frames of ' + fmt(a.dt) + ' ms)'));
    const bar = el('div', { class: 'silico-controls' });
    const select = el('select', { 'aria-label': 'variable' });
    a.variables.forEach((v, i) => select.appendChild(el('option', { value: String(i) }, v.name)));
    const back = el('button', { type: 'button', 'data-action': 'back', title: 'step back' }, '◀');
    const play = el('button', { type: 'button', 'data-action': 'play' }, 'play');
    const fwd = el('button', { type: 'button', 'data-action': 'step', title: 'step forward' }, '▶');
    const slider = el('input', { type: 'range', min: '0', max: String(Math.max(0, a.frames - 1)), value: '0',
                                 step: '1', 'aria-label': 'time' });
    const label = el('span', { class: 'silico-time' });
    [select, back, play, fwd, slider, label].forEach((e) => bar.appendChild(e));
    box.appendChild(bar);
    const chartBox = el('div', { class: 'silico-chart silico-chart-tall' });
    box.appendChild(chartBox);
    const segs = segmentsByLabel(a);
    let variable = 0, values = f32(a.variables[0].frames), frame = 0, timer = null;
    const chart = draw(echarts, chartBox, animationOption(a, a.variables[0]));
    function show(f) {
      frame = Math.max(0, Math.min(a.frames - 1, f));
      chart.setOption({ series: frameSeries(a, segs, values, frame) });
      chart.getZr().flush();
      slider.value = String(frame);
      label.textContent = 't = ' + (a.t0 + frame * a.dt).toFixed(1) + ' ms';
      box.setAttribute('data-frame', String(frame));
    }
    function pause() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      play.textContent = 'play';
      box.setAttribute('data-playing', 'false');
    }
    function start() {
      if (frame >= a.frames - 1) show(0);
      timer = setInterval(function () {
        if (frame >= a.frames - 1) return pause();
        show(frame + 1);
      }, 40);
      play.textContent = 'pause';
      box.setAttribute('data-playing', 'true');
    }
    play.addEventListener('click', () => (timer === null ? start() : pause()));
    back.addEventListener('click', () => { pause(); show(frame - 1); });
    fwd.addEventListener('click', () => { pause(); show(frame + 1); });
    slider.addEventListener('input', () => { pause(); show(Number(slider.value)); });
    select.addEventListener('change', function () {
      variable = Number(select.value);
      values = f32(a.variables[variable].frames);
      chart.setOption(animationOption(a, a.variables[variable]), true);
      show(frame);
    });
    show(0);
    return chart;
  }

  // The animation alone (`silico plot animation ... -o FILE.html`).
  function renderAnimation(fig, echarts, root) {
    const chart = animationSection(root, fig.animation, echarts);
    window.addEventListener('resize', () => chart.resize());
    document.documentElement.setAttribute('data-silico-rendered', String(Math.round(performance.now())));
    return chart;
  }

  // ----- SVG in Node.js (ECharts' server-side rendering)
  function renderSvg(fig, echarts) {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: fig.width, height: fig.height });
    chart.setOption(figureOption(fig));
    const svg = chart.renderToSVGString();
    chart.dispose();
    return svg;
  }

  return { figureOption: figureOption, renderPage: renderPage, renderFigure: renderFigure, renderSvg: renderSvg,
           renderAnimation: renderAnimation, decodeFloat32: f32 };
});
