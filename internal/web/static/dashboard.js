// Dashboard charts: each element marked data-chart names a
// <script type="application/json"> block holding its figures (the same as
// the table beside it). Drawn with ECharts when this build embeds it
// (static/vendor/echarts.min.js, from npm by `make assets`); without it,
// or without JavaScript, the tables are the page.
(function () {
  "use strict";
  var palette = ["#b3261e", "#0b57d0", "#1a7f37", "#8a5a00", "#6f42c1", "#0f766e", "#c2410c", "#475569", "#be185d"];

  function pct(v) {
    return v == null ? "—" : (v * 100).toFixed(1) + "%";
  }

  function axisOption(spec) {
    var top = 0;
    spec.series.forEach(function (s) {
      s.data.forEach(function (v) {
        top = Math.max(top, v || 0);
      });
    });
    var fmt = spec.percent ? function (v) { return Math.round(v * 100) + "%"; } : null;
    return {
      color: palette,
      animation: false,
      tooltip: {trigger: "axis", valueFormatter: spec.percent ? pct : null},
      legend: {top: 0},
      grid: {left: 48, right: 16, top: 36, bottom: 24, containLabel: true},
      xAxis: {type: "category", data: spec.categories, axisLabel: {interval: 0, hideOverlap: true}},
      yAxis: {type: "value", min: 0, max: spec.percent ? Math.max(1, top) : null, axisLabel: {formatter: fmt}},
      series: spec.series.map(function (s) {
        return {name: s.name, type: s.kind === "line" ? "line" : "bar", data: s.data, connectNulls: false};
      })
    };
  }

  function pieOption(spec) {
    var s = spec.series[0];
    return {
      color: palette,
      animation: false,
      tooltip: {trigger: "item"},
      legend: {type: "scroll", bottom: 0},
      series: [{name: s.name, type: "pie", radius: ["35%", "65%"], top: 0, bottom: 32, stillShowZeroSum: false,
        data: spec.categories.map(function (c, i) { return {name: c, value: s.data[i]}; })}]
    };
  }

  function gaugeOption(spec) {
    var g = spec.gauge, max = g.max || 1, mark = Math.min(g.target / max, 1);
    var show = function (v) { return g.percent ? pct(v) : String(Math.round(v)); };
    return {
      animation: false,
      series: [{
        type: "gauge", min: 0, max: max, startAngle: 200, endAngle: -20, radius: "90%",
        axisLine: {lineStyle: {width: 14, color: [[mark, "#e0a7a3"], [1, "#9fd4ac"]]}},
        progress: {show: true, width: 14, itemStyle: {color: g.value >= g.target ? "#1a7f37" : "#b3261e"}},
        pointer: {show: false},
        axisTick: {show: false},
        splitLine: {show: false},
        axisLabel: {show: false},
        title: {offsetCenter: [0, "55%"], fontSize: 12},
        detail: {offsetCenter: [0, "10%"], fontSize: 20, formatter: function () { return show(g.value); }},
        data: [{value: Math.min(g.value, max), name: g.name}]
      }]
    };
  }

  function option(spec) {
    if (spec.kind === "gauge") {
      return gaugeOption(spec);
    }
    if (spec.kind === "pie") {
      return pieOption(spec);
    }
    return axisOption(spec);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) {
      return;
    }
    var charts = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (el) {
      var data = document.getElementById(el.getAttribute("data-chart"));
      if (!data) {
        return;
      }
      var spec;
      try {
        spec = JSON.parse(data.textContent);
      } catch (e) {
        return;
      }
      el.hidden = false;
      var chart = window.echarts.init(el, null, {renderer: "canvas"});
      chart.setOption(option(spec));
      el.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
    var timer = 0;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        charts.forEach(function (c) { c.resize(); });
      }, 150);
    });
  });
})();
