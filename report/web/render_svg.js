// `silico plot ... -o FILE.svg`: reads one figure's JSON (report/src/figures.cpp, figure_json) and
// writes its SVG on stdout, drawn by ECharts' server-side SVG renderer with the report page's own options.
'use strict';
const echarts = require('./echarts.min.js');
const report = require('./report.js');

// The figure's JSON file is the first argument (stdin without one).
const input = require('fs').readFileSync(process.argv[2] || 0, 'utf8');
// ECharts keeps a timer alive in Node.js: exit once the SVG is out.
process.stdout.write(report.renderSvg(JSON.parse(input), echarts), () => process.exit(0));
