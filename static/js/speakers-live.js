// The public live speakers list: polls live.json every second and counts the current
// speaker's time down from the server's start time, corrected by the offset between the
// server's clock and this device's. Markup mirrors templates/speakers/live.html.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var TICK_MS = 200;
  var WARNING_SECONDS = 10;

  var root, text, offset = null, bestTrip = Infinity, state = null, announced = null;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  function clock(seconds) {
    var s = Math.abs(seconds);
    var rest = s % 60;
    return Math.floor(s / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function node(tag, className, content) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (content !== undefined) { el.textContent = content; }
    return el;
  }

  function who(entry) {
    var span = node("span", "live-who");
    span.appendChild(node("strong", "live-delegation", entry.delegation));
    if (entry.group_name) {
      span.appendChild(node("span", "live-group", ", " + fill(text.textBehalf, { group: entry.group_name })));
    }
    if (entry.name) { span.appendChild(node("span", "live-name", " · " + entry.name)); }
    return span;
  }

  function waitingItem(entry) {
    var li = node("li", "live-item" + (entry.moved_to_end ? " is-moved" : "") + (entry.fits ? "" : " is-beyond"));
    var meta = [entry.category_label, fill(text.textSeconds, { seconds: entry.seconds_allowed }), entry.language_name];
    if (entry.moved_to_end) { meta.push(text.textMoved); }
    if (!entry.fits) { meta.push(text.textBeyond); }
    li.appendChild(node("span", "live-time", entry.projected_start_local));
    li.appendChild(who(entry));
    li.appendChild(node("span", "live-meta", meta.join(" · ")));
    return li;
  }

  function doneItem(entry) {
    var li = node("li", "live-item is-" + entry.state);
    var meta = entry.state_label;
    if (entry.seconds_used !== undefined && entry.seconds_used !== null) {
      meta += " · " + fill(text.textUsed, { used: clock(entry.seconds_used), allowed: clock(entry.seconds_allowed) });
    }
    li.appendChild(who(entry));
    li.appendChild(node("span", "live-meta", meta));
    return li;
  }

  function replaceItems(list, entries, build) {
    var fragment = document.createDocumentFragment();
    entries.forEach(function (entry) { fragment.appendChild(build(entry)); });
    list.replaceChildren(fragment);
  }

  function renderCurrent(current) {
    var box = document.getElementById("live-current");
    // Announced only when the speaker changes, never on every poll.
    var key = current ? current.started_at + "|" + current.delegation + "|" + (current.name || "") : "";
    if (key === announced) { return; }
    announced = key;
    box.replaceChildren();
    if (current) {
      Array.prototype.slice.call(who(current).childNodes).forEach(function (child) { box.appendChild(child); });
    } else {
      box.textContent = text.textNobody;
    }
  }

  function renderFloor(floor, zone) {
    var line = fill(text.textFloor, { start: floor.starts_at_local, end: floor.ends_at_local, zone: zone }) + " ";
    line += floor.fits
      ? fill(text.textFits, { time: floor.projected_end_local })
      : fill(text.textOverrun, { minutes: Math.ceil(floor.overrun_seconds / 60), time: floor.projected_end_local });
    document.getElementById("live-floor").textContent = line;
  }

  function render(data) {
    state = data;
    renderCurrent(data.current);
    renderFloor(data.floor, data.timezone_abbr);
    replaceItems(document.getElementById("live-queue"), data.queue, waitingItem);
    replaceItems(document.getElementById("live-done"), data.done, doneItem);
    document.getElementById("live-empty").hidden = data.queue.length > 0;
    document.getElementById("live-done-section").hidden = data.done.length === 0;
    tick();
  }

  function tick() {
    var box = document.getElementById("live-countdown");
    var current = state && state.current;
    if (!current || !current.started_at) {
      box.hidden = true;
      document.getElementById("live-stopped").hidden = true;
      return;
    }
    var until = current.ended_at ? Date.parse(current.ended_at) : Date.now() + (offset || 0);
    var left = Math.ceil(current.seconds_allowed - (until - Date.parse(current.started_at)) / 1000);
    var shown = (left < 0 ? "+" : "") + clock(left);
    if (box.textContent !== shown) { box.textContent = shown; }
    box.classList.toggle("is-warning", left > 0 && left <= WARNING_SECONDS);
    box.classList.toggle("is-over", left <= 0);
    box.hidden = false;
    document.getElementById("live-stopped").hidden = !current.ended_at;
  }

  function poll() {
    var sent = Date.now();
    fetch(root.dataset.source, { cache: "no-store", credentials: "same-origin",
                                 headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        var received = Date.now();
        var trip = received - sent;
        // The fastest round trip gives the best estimate; it is let go slowly so a
        // device whose clock is corrected picks up the new offset.
        if (offset === null || trip <= bestTrip) {
          bestTrip = trip;
          offset = Date.parse(data.server_now) - (sent + trip / 2);
        }
        bestTrip += 5;
        document.getElementById("live-offline").hidden = true;
        render(data);
      })
      .catch(function () {
        var notice = document.getElementById("live-offline");
        notice.textContent = text.textOffline;
        notice.hidden = false;
      })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("live");
    if (!root) { return; }
    text = root.dataset;
    poll();
    window.setInterval(tick, TICK_MS);
  });
})();
