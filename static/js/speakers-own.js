// A speaker's own page: polls their status every second so that a remote speaker sees, on their
// own screen, their place, their projected time, "you are next" and "you have the floor" (with
// the countdown from the server's start time, as on the live list: static/js/speakers-timer.js).
// Markup mirrors templates/speakers/own.html.
(function () {
  "use strict";
  var TICK_MS = 200;
  var timer = window.SpeakersTimer;
  var root, text, poller, state = null;

  function byId(id) { return document.getElementById(id); }

  function render(data) {
    state = data;
    var message = byId("own-message");
    if (message.textContent !== data.message) { message.textContent = data.message; }  // announced once
    root.classList.toggle("has-floor", Boolean(data.has_floor));
    root.classList.toggle("is-next", Boolean(data.is_next) && !data.has_floor);
    var time = byId("own-time");
    time.hidden = !data.projected_start_local || data.has_floor;
    if (data.projected_start_local) { time.textContent = timer.fill(text.textTime, { time: data.projected_start_local }); }
    tick();
  }

  function tick() {
    timer.showCountdown(byId("own-countdown"), state && state.current, poller.now());
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = byId("own-live");
    if (!root) { return; }
    text = root.dataset;
    poller = new timer.Poller(root.dataset.source, function (data) {
      byId("own-offline").hidden = true;
      render(data);
    }, function () {
      var notice = byId("own-offline");
      notice.textContent = text.textOffline;
      notice.hidden = false;
    });
    poller.poll();
    window.setInterval(tick, TICK_MS);
  });
})();
