/*
 * 统计看板: draws each chart of templates/portal/dashboard.html with the vendored Apache ECharts.
 * Each chart's numbers come from its <script type="application/json"> block (Django's json_script), named by the
 * container's data-source; the table beside the chart shows the same numbers. No inline script or style (CSP):
 * tooltips render on the canvas (renderMode "richText") instead of as HTML with style attributes.
 */
(function () {
  "use strict";

  if (typeof window.echarts === "undefined") {
    return;
  }

  var COLORS = { qihang: "#1f5fa8", haiju: "#d9822b", asked: "#6c8ebf", approved: "#2e8b57", paid: "#b8860b" };

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function num(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function base(extra) {
    var option = {
      animation: false,
      textStyle: { fontFamily: "system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif" },
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    };
    Object.keys(extra).forEach(function (key) {
      option[key] = extra[key];
    });
    return option;
  }

  var builders = {
    progress: function (data) {
      var series = [
        { name: "启航累计", type: "line", data: data.qihang, color: COLORS.qihang, symbolSize: 4 },
        { name: "海聚累计", type: "line", data: data.haiju, color: COLORS.haiju, symbolSize: 4 },
      ];
      if (data.qihang_target) {
        series.push({ name: "启航目标进度", type: "line", data: data.qihang_target, color: COLORS.qihang,
          lineStyle: { type: "dashed" }, symbol: "none" });
      }
      if (data.haiju_target) {
        series.push({ name: "海聚目标进度", type: "line", data: data.haiju_target, color: COLORS.haiju,
          lineStyle: { type: "dashed" }, symbol: "none" });
      }
      var option = base({
        tooltip: { trigger: "axis", renderMode: "richText" },
        // 36 旬 do not fit side by side: the axis names the month once, at its 上旬; the tooltip names the 旬.
        xAxis: {
          type: "category",
          data: data.labels,
          axisTick: { interval: 2 },
          axisLabel: {
            interval: function (index) { return index % 3 === 0; },
            formatter: function (label) { return label.replace(/[上中下]旬$/, ""); },
            hideOverlap: true,
          },
        },
        yAxis: { type: "value", name: "人", minInterval: 1 },
        series: series,
      });
      if (!data.qihang_target || !data.haiju_target) {
        option.title = { text: "未设置目标", right: 8, top: 24, textStyle: { fontSize: 12, color: "#b02a37" } };
      }
      return option;
    },
    districts: function (rows) {
      // Ranked from the top: ECharts draws a category y-axis bottom-up, so the order is reversed.
      var ordered = rows.slice().reverse();
      return base({
        xAxis: { type: "value", name: "人", minInterval: 1 },
        yAxis: { type: "category", data: ordered.map(function (r) { return r.name; }), axisLabel: { interval: 0 } },
        series: [
          { name: "启航", type: "bar", stack: "total", data: ordered.map(function (r) { return r.qihang; }), color: COLORS.qihang },
          { name: "海聚", type: "bar", stack: "total", data: ordered.map(function (r) { return r.haiju; }), color: COLORS.haiju },
        ],
      });
    },
    channels: function (rows) {
      return base({
        xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, width: 120, overflow: "break" } },
        yAxis: { type: "value", name: "人", minInterval: 1 },
        series: [
          { name: "启航", type: "bar", stack: "total", data: rows.map(function (r) { return r.qihang; }), color: COLORS.qihang, barMaxWidth: 80 },
          { name: "海聚", type: "bar", stack: "total", data: rows.map(function (r) { return r.haiju; }), color: COLORS.haiju, barMaxWidth: 80 },
        ],
      });
    },
    subsidies: function (rows) {
      function column(key) {
        return rows.map(function (r) { return num(r[key]); });
      }
      return base({
        xAxis: { type: "category", data: rows.map(function (r) { return r.month; }), axisLabel: { interval: 0, hideOverlap: true } },
        yAxis: { type: "value", name: "元" },
        series: [
          { name: "申报金额", type: "bar", data: column("asked"), color: COLORS.asked },
          { name: "核定金额", type: "bar", data: column("approved"), color: COLORS.approved },
          { name: "发放金额", type: "bar", data: column("paid"), color: COLORS.paid },
        ],
      });
    },
    bases: function (rows) {
      // The talent bases with any figure, most hires first from the top (a category y-axis is drawn bottom-up).
      var ordered = rows.slice().reverse();
      return base({
        xAxis: { type: "value", name: "人", minInterval: 1 },
        yAxis: { type: "category", data: ordered.map(function (r) { return r.name; }), axisLabel: { interval: 0, width: 200, overflow: "truncate" } },
        series: [
          { name: "启航", type: "bar", stack: "total", data: ordered.map(function (r) { return r.qihang; }), color: COLORS.qihang, barMaxWidth: 28 },
          { name: "海聚", type: "bar", stack: "total", data: ordered.map(function (r) { return r.haiju; }), color: COLORS.haiju, barMaxWidth: 28 },
        ],
      });
    },
    queues: function (rows) {
      // Horizontal bars so the step names stay readable; the first step at the top.
      var ordered = rows.slice().reverse();
      return base({
        legend: { top: 0 },
        // The axes' names sit centred under and over them: at the end of the axis they ran off the canvas.
        grid: { left: 8, right: 24, top: 76, bottom: 36, containLabel: true },
        yAxis: { type: "category", data: ordered.map(function (r) { return r.area + "·" + r.step; }), axisLabel: { interval: 0 } },
        xAxis: [
          { type: "value", name: "待办数（件）", nameLocation: "middle", nameGap: 26, minInterval: 1, position: "bottom" },
          { type: "value", name: "等待天数", nameLocation: "middle", nameGap: 26, position: "top" },
        ],
        series: [
          { name: "待办数", type: "bar", xAxisIndex: 0, data: ordered.map(function (r) { return r.count; }), color: COLORS.qihang },
          { name: "最长等待（天）", type: "bar", xAxisIndex: 1, data: ordered.map(function (r) { return r.oldest_days; }), color: "#b02a37" },
          { name: "等待中位数（天）", type: "bar", xAxisIndex: 1, data: ordered.map(function (r) { return r.median_days; }), color: COLORS.haiju },
        ],
      });
    },
  };

  // Charts with one bar per row (the bases: one today, forty or more later) grow with their rows, up to the height
  // the stylesheet gives them: a single base is not a bar stretched over 720 pixels.
  var ROW_HEIGHT = { bases: 32 };
  var ROW_CHART_CHROME = 110;

  var charts = [];
  document.querySelectorAll("[data-dashboard-chart]").forEach(function (node) {
    var name = node.getAttribute("data-dashboard-chart");
    var build = builders[name];
    var data = read(node.getAttribute("data-source"));
    if (!build || data === null) {
      return;
    }
    if (ROW_HEIGHT[name] && Array.isArray(data)) {
      node.style.height = Math.min(node.clientHeight, ROW_CHART_CHROME + ROW_HEIGHT[name] * data.length) + "px";
    }
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(build(data));
    charts.push(chart);
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
