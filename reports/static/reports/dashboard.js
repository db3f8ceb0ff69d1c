/* Charts of the leaders' dashboard (ECharts, vendored) and the sortable league table.
   Every chart element links to the drill-down list of the demands behind it. */
(function () {
  "use strict";
  var holder = document.getElementById("report-charts");
  if (!holder) return;
  var data = JSON.parse(holder.textContent);
  var font = '"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif';
  var charts = [];

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    option.textStyle = { fontFamily: font };
    option.animation = false;
    chart.setOption(option);
    if (onClick) chart.on("click", onClick);
    charts.push(chart);
  }

  var t = data.trend;
  make("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 44, top: 36, bottom: 28 },
    xAxis: { type: "category", data: t.months },
    yAxis: [{ type: "value", name: "件", minInterval: 1 },
            { type: "value", name: "%", min: 0, max: 100 }],
    series: [
      { name: "受理", type: "bar", data: t.received, itemStyle: { color: "#8fb3e6" } },
      { name: "答复", type: "bar", data: t.answered, itemStyle: { color: "#1f4e8c" } },
      { name: "销号", type: "bar", data: t.closed, itemStyle: { color: "#1e7b48" } },
      { name: "当即解决率", type: "line", yAxisIndex: 1, data: t.on_spot, connectNulls: true },
      { name: "满意率", type: "line", yAxisIndex: 1, data: t.satisfaction, connectNulls: true }
    ]
  }, function (p) { if (t.urls[p.dataIndex]) window.location = t.urls[p.dataIndex]; });

  var cats = data.categories;
  make("chart-categories", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 90, right: 16, top: 8, bottom: 20 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: cats.map(function (c) { return c.name; }) },
    series: [{ name: "受理", type: "bar", data: cats.map(function (c) { return c.received; }),
               itemStyle: { color: "#1f4e8c" } }]
  }, function (p) { window.location = cats[p.dataIndex].url; });

  var h = data.heatmap;
  if (h.cells.length) {
    make("chart-heat", {
      tooltip: { formatter: function (p) {
        var c = h.cells[p.dataIndex];
        return h.categories[c.y] + " × " + h.departments[c.x] + "<br>受理 " + c.value +
          " 件" + (c.overdue ? "，逾期 " + c.overdue + " 件" : "");
      } },
      grid: { left: 100, right: 20, top: 10, bottom: 90 },
      xAxis: { type: "category", data: h.departments, axisLabel: { rotate: 35, interval: 0 } },
      yAxis: { type: "category", data: h.categories },
      visualMap: { min: 0, max: Math.max(1, h.max), calculable: true, orient: "horizontal",
                   left: "center", bottom: 0, itemHeight: 120,
                   inRange: { color: ["#eef4fb", "#8fb3e6", "#1f4e8c"] } },
      series: [{ type: "heatmap", label: { show: true },
                 data: h.cells.map(function (c) { return [c.x, c.y, c.value]; }) }]
    }, function (p) { window.location = h.cells[p.dataIndex].url; });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // League table: click a header to sort by it (numbers by their data-v value).
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        table.querySelectorAll("th").forEach(function (x) { x.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          if (th.dataset.sort === "num") {
            var d = parseFloat(x.dataset.v) - parseFloat(y.dataset.v);
            return asc ? d : -d;
          }
          var s = x.textContent.localeCompare(y.textContent, "zh-Hans-CN");
          return asc ? s : -s;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
