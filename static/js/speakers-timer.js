// What the public live list and the organisers' console share: polling a state endpoint every
// second, the offset between the server's clock and this device's, and the countdown computed
// from the start time the server stored, so that every screen shows the same time left.
window.SpeakersTimer = (function () {
  "use strict";
  var POLL_MS = 1000;
  var WARNING_SECONDS = 10;

  function clock(seconds) {
    var s = Math.abs(seconds);
    var rest = s % 60;
    return Math.floor(s / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  // Appends template to el with each {placeholder} as a <bdi>: a delegation or group name keeps
  // its own direction inside a sentence of the page's language (as the |bdi filter does).
  function fillIsolated(el, template, values) {
    template.split(/(\{\w+\})/).forEach(function (part) {
      var key = /^\{(\w+)\}$/.exec(part);
      if (key && key[1] in values) {
        var bdi = document.createElement("bdi");
        bdi.textContent = String(values[key[1]]);
        el.appendChild(bdi);
      } else if (part) {
        el.appendChild(document.createTextNode(part));
      }
    });
    return el;
  }

  // Fetches url every second: onData(state) after each answer, onError() after a failure.
  function Poller(url, onData, onError) {
    this.url = url;
    this.onData = onData;
    this.onError = onError;
    this.offset = null;
    this.bestTrip = Infinity;
    this.timer = null;
    this.busy = false;
    this.again = false;
  }

  Poller.prototype.poll = function () {
    var self = this;
    var sent = Date.now();
    window.clearTimeout(this.timer);
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    fetch(this.url, { cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        var trip = Date.now() - sent;
        // The fastest round trip gives the best estimate; it is let go slowly so a
        // device whose clock is corrected picks up the new offset.
        if (self.offset === null || trip <= self.bestTrip) {
          self.bestTrip = trip;
          self.offset = Date.parse(data.server_now) - (sent + trip / 2);
        }
        self.bestTrip += 5;
        self.onData(data);
      })
      .catch(function () { self.onError(); })
      .then(function () {
        self.busy = false;
        if (self.again) { self.again = false; self.poll(); return; }
        self.timer = window.setTimeout(function () { self.poll(); }, POLL_MS);
      });
  };

  // The server's clock, as well as this device can tell.
  Poller.prototype.now = function () {
    return Date.now() + (this.offset || 0);
  };

  // Whole seconds left for the current speaker (negative once over), or null if nobody speaks.
  function secondsLeft(current, now) {
    if (!current || !current.started_at) { return null; }
    var until = current.ended_at ? Date.parse(current.ended_at) : now;
    return Math.ceil(current.seconds_allowed - (until - Date.parse(current.started_at)) / 1000);
  }

  // Shows the countdown in box ("+0:05" once over, warning colours) and returns the seconds left.
  function showCountdown(box, current, now) {
    var left = secondsLeft(current, now);
    box.hidden = left === null;
    if (left === null) { return null; }
    var shown = (left < 0 ? "+" : "") + clock(left);
    if (box.textContent !== shown) { box.textContent = shown; }
    box.classList.toggle("is-warning", left > 0 && left <= WARNING_SECONDS);
    box.classList.toggle("is-over", left <= 0);
    return left;
  }

  return { clock: clock, fill: fill, fillIsolated: fillIsolated, Poller: Poller, showCountdown: showCountdown,
           WARNING_SECONDS: WARNING_SECONDS };
})();
