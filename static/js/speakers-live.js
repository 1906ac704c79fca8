// The public live speakers list: polls live.json every second (304 while nothing changed) and
// counts the current speaker's time down from the server's start time, corrected by the server's
// clock sent with each answer (static/js/speakers-timer.js does both).
// With push on (data-push, rsvp/livepush.py: an nchan channel behind nginx) each change arrives
// as an event and the page fetches live.json at once; it then polls only every 30 s, as a safety
// net, and every second again while the event stream is down.
// Markup mirrors templates/speakers/live.html.
(function () {
  "use strict";
  var TICK_MS = 200;
  var SLOW_POLL_MS = 30000;
  var timer = window.SpeakersTimer;
  var fill = timer.fill;
  var clock = timer.clock;

  var root, text, poller, state = null, announced = null, shownDraws = null;

  function node(tag, className, content) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (content !== undefined) { el.textContent = content; }
    return el;
  }

  // Names are isolated in <bdi>, as in the template: a Latin name keeps its order in an Arabic page.
  function who(entry) {
    var span = node("span", "live-who");
    span.appendChild(node("strong", "live-delegation")).appendChild(node("bdi", "", entry.delegation));
    if (entry.group_name) {
      span.appendChild(timer.fillIsolated(node("span", "live-group", ", "), text.textBehalf,
                                          { group: entry.group_name }));
    }
    if (entry.name) {
      span.appendChild(node("span", "live-name", " · ")).appendChild(node("bdi", "", entry.name));
    }
    if (entry.signatories && entry.signatories.length) {
      span.appendChild(signatories(entry.signatories));
    }
    return span;
  }

  // "Signatories: A, B, C", each name isolated in its own <bdi>.
  function signatories(names) {
    var line = node("span", "live-signatories");
    var parts = text.textSignatories.split("{names}");
    line.appendChild(document.createTextNode(parts[0]));
    names.forEach(function (name, i) {
      if (i) { line.appendChild(document.createTextNode(text.textSeparator)); }
      line.appendChild(node("bdi", "", name));
    });
    line.appendChild(document.createTextNode(parts.slice(1).join("{names}")));
    return line;
  }

  function waitingItem(entry) {
    var li = node("li", "live-item" + (entry.moved_to_end ? " is-moved" : "") + (entry.fits ? "" : " is-beyond"));
    var meta = [entry.category_label, fill(text.textSeconds, { seconds: entry.seconds_allowed }), entry.language_name];
    if (entry.right_of_reply) { meta.push(text.textReply); }
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

  function renderFloor(floor) {
    var line = fill(text.textFloor, { span: floor.span_local }) + " ";
    line += floor.fits
      ? fill(text.textFits, { time: floor.projected_end_local })
      : fill(text.textOverrun, { minutes: Math.ceil(floor.overrun_seconds / 60), time: floor.projected_end_local });
    document.getElementById("live-floor").textContent = line;
  }

  // Each draw: its sentence with the seed, and the part as it stood before (to recompute it).
  function drawItem(draw) {
    var box = node("div", "live-draw");
    box.appendChild(node("p", "", fill(text.textDrawn, { first: draw.first_place, last: draw.last_place,
                                                         time: draw.drawn_at_local, seed: draw.seed })));
    var details = box.appendChild(node("details"));
    details.appendChild(node("summary", "", text.textBefore));
    var list = details.appendChild(node("ol"));
    draw.before.forEach(function (label) { list.appendChild(node("li")).appendChild(node("bdi", "", label)); });
    return box;
  }

  function render(data) {
    state = data;
    renderCurrent(data.current);
    renderFloor(data.floor);
    replaceItems(document.getElementById("live-queue"), data.queue, waitingItem);
    replaceItems(document.getElementById("live-done"), data.done, doneItem);
    document.getElementById("live-empty").hidden = data.queue.length > 0;
    document.getElementById("live-done-section").hidden = data.done.length === 0;
    var draws = data.draws || [];
    var drawsKey = JSON.stringify(draws);
    if (drawsKey !== shownDraws) {  // rebuilt only when a draw is added: an open <details> stays open
      shownDraws = drawsKey;
      replaceItems(document.getElementById("live-draws"), draws, drawItem);
      document.getElementById("live-draws-section").hidden = draws.length === 0;
    }
    tick();
  }

  function tick() {
    var current = state && state.current;
    var left = timer.showCountdown(document.getElementById("live-countdown"), current, poller.now());
    document.getElementById("live-stopped").hidden = left === null || !current.ended_at;
  }

  function offline() {
    var notice = document.getElementById("live-offline");
    notice.textContent = text.textOffline;
    notice.hidden = false;
  }

  // The event carries the list's new version only. Fetched as live.json?v=<version>: an address
  // nginx has no copy of yet, so every viewer gets the change (not the copy kept up to a second
  // before it), and its lock sends one request to the app for them all.
  function listen(address) {
    var base = poller.url, everySecond = poller.interval;
    var stream = new window.EventSource(address);
    stream.onopen = function () {  // also after a reconnection: catch up on what was missed
      poller.interval = SLOW_POLL_MS;
      poller.poll();
      root.dataset.pushState = "open";
    };
    stream.onmessage = function (event) {
      var version = String(event.data).replace(/[^0-9]/g, "");
      if (version) { poller.url = base + (base.indexOf("?") < 0 ? "?" : "&") + "v=" + version; }
      poller.poll();
    };
    stream.onerror = function () {  // the browser reconnects by itself; meanwhile poll
      root.dataset.pushState = "down";
      if (poller.interval !== everySecond) {
        poller.interval = everySecond;
        poller.poll();
      }
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("live");
    if (!root) { return; }
    text = root.dataset;
    poller = new timer.Poller(root.dataset.source, function (data) {
      document.getElementById("live-offline").hidden = true;
      render(data);
    }, offline);
    poller.poll();
    if (root.dataset.push && window.EventSource) { listen(root.dataset.push); }
    window.setInterval(tick, TICK_MS);
  });
})();
