// Draws the dashboard charts from the JSON the page embeds (reports.selectors.figure_charts); a chart without data
// has no canvas (the page says "暂无数据" instead of drawing an empty axis).
(function () {
  var source = document.getElementById("kpi-charts");
  if (!source || typeof Chart === "undefined") return;
  var colours = ["#0d6efd", "#adb5bd", "#198754", "#dc3545"];
  // a chart of rates (unit "%": salesops.core.charts.percent_points) reads 0–100 % on its axis and "85.0%" at a point
  function options(chart) {
    var o = { responsive: true, plugins: { legend: { display: chart.series.length > 1 } } };
    if (chart.unit === "%") {
      o.scales = { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } };
      o.plugins.tooltip = { callbacks: { label: function (c) { return c.dataset.label + ": " + c.parsed.y + "%"; } } };
    }
    return o;
  }
  JSON.parse(source.textContent).forEach(function (chart) {
    var canvas = document.getElementById("chart-" + chart.key);
    if (!canvas || chart.empty) return;
    new Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: colours[i % colours.length], borderColor: colours[i % colours.length] };
        }),
      },
      options: options(chart),
    });
  });
})();
