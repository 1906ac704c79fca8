// Shows an event's time in the visitor's own zone, computed in the browser:
// the zone never leaves the visitor's machine.
(function () {
  "use strict";
  function fmt(date, opts) {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, opts).format(date);
  }
  function fill(el) {
    var start = new Date(el.dataset.start);
    var end = new Date(el.dataset.end);
    if (isNaN(start) || isNaN(end)) { return; }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    var day = { weekday: "long", day: "numeric", month: "long", year: "numeric" };
    var clock = { hour: "numeric", minute: "2-digit" };  // "2:00 PM", "14:00": no leading zero
    var sameDay = fmt(start, day) === fmt(end, day);
    var text = fmt(start, day) + ", " + fmt(start, clock) + "–" +
      (sameDay ? "" : fmt(end, day) + ", ") + fmt(end, clock);
    el.textContent = el.dataset.label + ": " + text + (zone ? " (" + zone.replace(/_/g, " ") + ")" : "");
    el.hidden = false;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-local-span]").forEach(fill);
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    document.querySelectorAll("input[data-browser-timezone]").forEach(function (input) {
      if (!input.value) { input.value = zone; }
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
