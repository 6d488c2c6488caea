// Draws the dashboard charts from the JSON the page embeds (reports.selectors.figure_charts); a chart without data
// has no canvas (the page says "暂无数据" instead of drawing an empty axis).
(function () {
  var source = document.getElementById("kpi-charts");
  if (!source || typeof Chart === "undefined") return;
  var colours = ["#0d6efd", "#adb5bd", "#198754", "#dc3545"];
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
      options: { responsive: true, plugins: { legend: { display: chart.series.length > 1 } } },
    });
  });
})();
