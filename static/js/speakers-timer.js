// What the public live list and the organisers' console share: polling a state endpoint every
// second, the offset between the server's clock and this device's, and the countdown computed
// from the start time the server stored, so that every screen shows the same time left.
// The public list answers 304 Not Modified while nothing changed (the poll sends back its ETag)
// and sends the server's clock in a Server-Now header, so a device whose own clock is wrong
// still counts right; the console's JSON carries it as server_now.
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
    this.etag = null;
    this.data = null;
    this.interval = POLL_MS;  // the live page polls slowly while changes are pushed to it
  }

  Poller.prototype.poll = function () {
    var self = this;
    var sent = Date.now();
    window.clearTimeout(this.timer);
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    var headers = { Accept: "application/json" };
    if (this.etag && this.data) { headers["If-None-Match"] = this.etag; }
    var serverNow = null;
    fetch(this.url, { cache: "no-store", credentials: "same-origin", headers: headers })
      .then(function (response) {
        serverNow = response.headers.get("Server-Now");
        if (response.status === 304 && self.data) { return self.data; }
        if (!response.ok) { throw new Error(String(response.status)); }
        self.etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        var trip = Date.now() - sent;
        var now = Date.parse(serverNow || data.server_now);
        // The fastest round trip gives the best estimate; it is let go slowly so a
        // device whose clock is corrected picks up the new offset.
        if (!isNaN(now) && (self.offset === null || trip <= self.bestTrip)) {
          self.bestTrip = trip;
          self.offset = now - (sent + trip / 2);
        }
        self.bestTrip += 5;
        self.data = data;
        self.onData(data);
      })
      .catch(function () { self.onError(); })
      .then(function () {
        self.busy = false;
        if (self.again) { self.again = false; self.poll(); return; }
        self.timer = window.setTimeout(function () { self.poll(); }, self.interval);
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
