// A list being prepared by the worker: the count of rows done, every two seconds, and the page
// again once the file is ready (or could not be made), which then shows its link.
(function () {
  "use strict";
  function poll(box) {
    var bar = document.getElementById("export-progress");
    var count = document.getElementById("export-count");
    fetch(box.dataset.exportProgress, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        if (job.status === "ready" || job.status === "failed") {
          window.location.reload();
          return;
        }
        var done = Math.min(job.rows_done, job.rows_total);
        bar.max = Math.max(job.rows_total, 1);
        bar.value = done;
        count.textContent = box.dataset.textCount.replace("{done}", done).replace("{total}", job.rows_total);
      })
      .catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-export-progress]");
    if (box) { setInterval(function () { poll(box); }, 2000); }
  });
})();
