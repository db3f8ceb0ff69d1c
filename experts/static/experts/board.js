/* The 清零 burn-down chart (ECharts, vendored in reports/static): legacy items open at each week's
   end, and the ideal line to zero on the park's target date. Data come from a json_script tag. */
(function () {
  "use strict";
  var holder = document.getElementById("burndown-data");
  var el = document.getElementById("chart-burndown");
  if (!holder || !el || !window.echarts) return;
  var d = JSON.parse(holder.textContent);
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var series = [{ name: "遗留问题（件）", type: "line", data: d.actual, itemStyle: { color: "#b3261e" },
                  areaStyle: { opacity: 0.08 } }];
  if (d.ideal && d.ideal.length) {
    series.push({ name: "目标线", type: "line", data: d.ideal, lineStyle: { type: "dashed" },
                  itemStyle: { color: "#1e7b48" }, symbol: "none" });
  }
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: '"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif' },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 32, bottom: 28 },
    xAxis: { type: "category", data: d.days },
    yAxis: { type: "value", minInterval: 1 },
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
