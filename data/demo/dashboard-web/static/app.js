/* dashboard-web v1.4.2 | MIT License */
(function () {
  'use strict';

  var POLL_MS = 2000;
  var HISTORY = 120;
  var COLORS = { cpu_percent: '#7ee787', memory_mb: '#79c0ff', requests_per_s: '#d2a8ff', p95_latency_ms: '#ffa657' };
  var UNITS = { cpu_percent: '%', memory_mb: ' MB', requests_per_s: '/s', p95_latency_ms: ' ms' };

  function Emitter() { this.handlers = {}; }
  Emitter.prototype.on = function (name, fn) { (this.handlers[name] = this.handlers[name] || []).push(fn); return this; };
  Emitter.prototype.emit = function (name, data) { (this.handlers[name] || []).forEach(function (fn) { fn(data); }); };

  function Series(name, size) { this.name = name; this.size = size; this.points = []; }
  Series.prototype.push = function (t, v) { this.points.push([t, v]); if (this.points.length > this.size) { this.points.shift(); } };
  Series.prototype.last = function () { return this.points.length ? this.points[this.points.length - 1][1] : null; };
  Series.prototype.range = function () {
    var lo = Infinity, hi = -Infinity;
    for (var i = 0; i < this.points.length; i++) { var v = this.points[i][1]; if (v < lo) { lo = v; } if (v > hi) { hi = v; } }
    if (lo === hi) { lo -= 1; hi += 1; }
    return [lo, hi];
  };

  function formatValue(name, v) {
    if (v === null) { return '–'; }
    var digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
    return v.toFixed(digits) + (UNITS[name] || '');
  }

  function createChart(root, name) {
    var box = document.createElement('section');
    box.className = 'chart';
    var title = document.createElement('h2');
    title.textContent = name.replace(/_/g, ' ');
    var value = document.createElement('span');
    value.className = 'value';
    title.appendChild(value);
    var canvas = document.createElement('canvas');
    box.appendChild(title);
    box.appendChild(canvas);
    root.appendChild(box);
    return { canvas: canvas, value: value };
  }

  function draw(chart, series) {
    var canvas = chart.canvas;
    var ratio = window.devicePixelRatio || 1;
    var w = canvas.clientWidth * ratio, h = canvas.clientHeight * ratio;
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    var ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, w, h);
    var pts = series.points;
    if (pts.length < 2) { return; }
    var r = series.range(), t0 = pts[0][0], t1 = pts[pts.length - 1][0];
    ctx.strokeStyle = COLORS[series.name] || '#e6e6e6';
    ctx.lineWidth = 2 * ratio;
    ctx.beginPath();
    for (var i = 0; i < pts.length; i++) {
      var x = (pts[i][0] - t0) / Math.max(1, t1 - t0) * w;
      var y = h - (pts[i][1] - r[0]) / (r[1] - r[0]) * (h - 8 * ratio) - 4 * ratio;
      if (i === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
    }
    ctx.stroke();
    chart.value.textContent = formatValue(series.name, series.last());
  }

  function Dashboard(root) {
    this.root = root;
    this.series = {};
    this.charts = {};
    this.events = new Emitter();
    this.failures = 0;
  }
  Dashboard.prototype.ingest = function (batch) {
    var self = this;
    batch.samples.forEach(function (s) {
      if (!self.series[s.name]) {
        self.series[s.name] = new Series(s.name, HISTORY);
        self.charts[s.name] = createChart(self.root, s.name);
      }
      self.series[s.name].push(s.timestamp_ms, s.value);
      draw(self.charts[s.name], self.series[s.name]);
    });
    this.events.emit('update', batch);
  };
  Dashboard.prototype.poll = function () {
    var self = this;
    return fetch('/api/metrics', { cache: 'no-store' })
      .then(function (res) { if (!res.ok) { throw new Error('HTTP ' + res.status); } return res.json(); })
      .then(function (batch) { self.failures = 0; self.ingest(batch); self.events.emit('status', 'live'); })
      .catch(function (err) { self.failures += 1; self.events.emit('status', 'error: ' + err.message); })
      .then(function () { setTimeout(function () { self.poll(); }, POLL_MS * Math.min(8, Math.pow(2, self.failures))); });
  };

  document.addEventListener('DOMContentLoaded', function () {
    var status = document.getElementById('status');
    var dash = new Dashboard(document.getElementById('charts'));
    dash.events.on('status', function (text) { status.textContent = text; status.className = text.indexOf('error') === 0 ? 'error' : ''; });
    window.addEventListener('resize', function () { Object.keys(dash.series).forEach(function (n) { draw(dash.charts[n], dash.series[n]); }); });
    dash.poll();
  });
})();
