// The organisers' live console: polls console.json every second (static/js/speakers-timer.js),
// counts the current speaker's time down from the server's start time, warns at 10 seconds and
// at zero (visually, and with a tone once sound is switched on), posts the console's forms
// without leaving the page, and reorders the queue by drag and drop. Rows are clones of the
// templates in templates/manage/speakers/console.html, filled through their data-field elements.
(function () {
  "use strict";
  var TICK_MS = 200;
  var timer = window.SpeakersTimer;
  var fill = timer.fill;
  // Fields that change with the clock alone: they never make the page rebuild.
  var VOLATILE = { server_now: 1, seconds_left: 1, projected_start: 1, projected_start_local: 1, fits: 1, floor: 1 };

  var root, text, poller, state = null, shape = null, dragged = null, dropped = false, posting = false;
  var audio = null, warned = {};

  function byId(id) { return document.getElementById(id); }

  function each(scope, selector, action) {
    Array.prototype.forEach.call(scope.querySelectorAll(selector), action);
  }

  function minutes(seconds) { return Math.ceil(seconds / 60); }

  // -- filling the server's markup ---------------------------------------------------------

  function setFields(scope, entry) {
    each(scope, "[data-field]", function (el) {
      var field = el.dataset.field;
      if (field === "group") {
        el.hidden = !entry.group_name;
        el.textContent = entry.group_name ? ", " : "";
        if (entry.group_name) { timer.fillIsolated(el, text.textBehalf, { group: entry.group_name }); }
      } else if (field === "allowed") {
        el.textContent = fill(text.textSeconds, { seconds: entry.seconds_allowed });
      } else if (field === "used") {
        el.textContent = entry.seconds_used === undefined || entry.seconds_used === null ? ""
          : fill(text.textUsed, { used: timer.clock(entry.seconds_used), allowed: timer.clock(entry.seconds_allowed) });
        el.classList.toggle("is-over-time", Boolean(entry.seconds_used > entry.seconds_allowed));
      } else if (field === "moved") {
        el.hidden = !entry.moved_to_end;
      } else if (field === "beyond") {
        el.hidden = entry.fits !== false;
      } else if (field === "statement") {
        el.hidden = !entry.has_statement;
      } else if (field === "video") {
        el.hidden = !entry.has_video;
      } else if (field === "mark-reply") {
        el.hidden = !entry.right_of_reply;
      } else if (field === "mark-priority") {
        el.hidden = !entry.priority;
      } else if (field === "mark-joint") {
        el.hidden = !(entry.signatories && entry.signatories.length);
      } else if (field === "mark-joint-count") {
        el.textContent = fill(text.textJoint, { count: (entry.signatories || []).length });
      } else if (field === "mark-signatories") {
        el.replaceChildren.apply(el, (entry.signatories || []).map(function (name) {
          var item = document.createElement("li");
          var isolated = document.createElement("bdi");
          isolated.textContent = name;
          item.appendChild(isolated);
          return item;
        }));
      } else if (field in entry) {
        el.textContent = entry[field] === null ? "" : String(entry[field]);
      }
    });
  }

  function clone(templateId, entry) {
    var node = byId(templateId).content.firstElementChild.cloneNode(true);
    each(node, "[action]", function (el) { el.setAttribute("action", el.getAttribute("action").replace("__speaker__", entry.id)); });
    each(node, "[href]", function (el) { el.setAttribute("href", el.getAttribute("href").replace("__speaker__", entry.id)); });
    node.className = node.className.replace(/\bis-confirmed\b/, "is-" + entry.state);
    setFields(node, entry);
    return node;
  }

  function who(entry) {
    var cell = clone("console-row-template", entry).querySelector("th");
    var fragment = document.createDocumentFragment();
    while (cell.firstChild) { fragment.appendChild(cell.firstChild); }
    return fragment;
  }

  function queueRow(entry, floorTaken) {
    var row = clone("console-row-template", entry);
    row.dataset.id = entry.id;
    row.classList.toggle("is-moved", entry.moved_to_end);
    each(row, "button[value='start']", function (button) { button.hidden = floorTaken; });
    each(row, "button[value='confirm']", function (button) { button.hidden = entry.state !== "inscribed"; });
    return row;
  }

  function pointForm(form, entry) {
    if (!form) { return; }
    form.hidden = !entry;
    if (entry) { form.setAttribute("action", form.dataset.pattern.replace("__speaker__", entry.id)); }
  }

  // -- rendering a state --------------------------------------------------------------------

  function renderCurrent(current) {
    var box = byId("console-current");
    box.replaceChildren(current ? who(current) : document.createTextNode(text.textNobody));
    byId("console-allowed").hidden = !current;
    if (current) { byId("console-allowed").textContent = fill(text.textAllowed, { time: timer.clock(current.seconds_allowed) }); }
    pointForm(byId("console-current-actions"), current);
    if (byId("console-stop")) { byId("console-stop").hidden = Boolean(current && current.ended_at); }
    byId("console-alert").textContent = "";
  }

  function renderNext(next, current) {
    byId("console-next").replaceChildren(next ? who(next) : document.createTextNode(text.textEmpty));
    var form = byId("console-next-actions");
    pointForm(form, next);
    if (form) { form.hidden = !next || Boolean(current); }
  }

  // The swap and the substitution choose among the speakers waiting, by their place.
  function renderSwap(queue) {
    ["console-swap", "console-substitute"].forEach(function (id) {
      var form = byId(id);
      if (!form) { return; }
      if (id === "console-swap") { form.hidden = queue.length < 2; }
      each(form, "select", function (select) {
        var chosen = select.value;
        var first = select.options[0];
        select.replaceChildren(first);
        queue.forEach(function (entry) {
          select.appendChild(new Option(entry.place + ". " + entry.delegation, entry.id, false, entry.id === chosen));
        });
      });
    });
  }

  function visible(el) { return el.offsetParent !== null; }

  // Where the keyboard was, so that it is there again once the rows are rebuilt.
  function focusedSpot() {
    var el = document.activeElement;
    var row = el && el.closest && el.closest("#console-queue tr");
    if (!row) { return { el: el }; }
    var rows = Array.prototype.slice.call(row.parentNode.children);
    return { id: row.dataset.id, index: rows.indexOf(row), value: el.value || "" };
  }

  function restoreFocus(spot) {
    var target = null;
    if (spot.id) {
      var body = byId("console-queue");
      var row = body.querySelector("tr[data-id='" + spot.id + "']") || body.children[spot.index] || body.lastElementChild;
      target = row && (row.querySelector("button[value='" + spot.value + "']:not([hidden])") || row.querySelector("button:not([hidden])"));
    } else if (spot.el && spot.el.closest && spot.el.closest(".console-top") && !visible(spot.el)) {
      // The button just used went away (the speaker left the floor): on to what comes next.
      target = Array.prototype.filter.call(root.querySelectorAll(".console-top button"), visible)[0];
    }
    if (target) { target.focus(); }
  }

  function rebuild(data) {
    var spot = focusedSpot();
    var floorTaken = Boolean(data.current);
    renderCurrent(data.current);
    renderNext(data.queue[0], data.current);
    byId("console-queue").replaceChildren.apply(byId("console-queue"), data.queue.map(function (entry) {
      return queueRow(entry, floorTaken);
    }));
    byId("console-empty").hidden = data.queue.length > 0;
    renderSwap(data.queue);
    byId("console-done").replaceChildren.apply(byId("console-done"), data.done.map(function (entry) {
      return clone("console-done-template", entry);
    }));
    byId("console-done-section").hidden = data.done.length === 0;
    restoreFocus(spot);
  }

  // What moves with the clock: projected times, whether each speaker fits, the floor line.
  function refreshTimes(data) {
    data.queue.forEach(function (entry) {
      var row = byId("console-queue").querySelector("tr[data-id='" + entry.id + "']");
      if (!row) { return; }
      row.querySelector("[data-field='projected_start_local']").textContent = entry.projected_start_local;
      row.querySelector("[data-field='beyond']").hidden = entry.fits;
      row.classList.toggle("is-beyond", !entry.fits);
    });
    var next = data.queue[0];
    byId("console-next-time").hidden = !next;
    if (next) {
      byId("console-next-time").textContent = fill(text.textProjected, { time: next.projected_start_local }) +
        " · " + fill(text.textSeconds, { seconds: next.seconds_allowed });
    }
    var floor = data.floor;
    var fits = byId("console-fits");
    byId("console-floor-time").textContent =
      fill(text.textFloor, { span: floor.span_local }) +
      " " + fill(text.textLeft, { minutes: minutes(floor.remaining_seconds) });
    fits.textContent = floor.fits ? fill(text.textFits, { time: floor.projected_end_local })
      : fill(text.textOverrun, { minutes: minutes(floor.overrun_seconds), time: floor.projected_end_local });
    fits.className = floor.fits ? "console-fits" : "console-overrun";
  }

  function render(data) {
    state = data;
    var next = JSON.stringify([data.current, data.queue, data.done], function (key, value) {
      return VOLATILE[key] ? undefined : value;
    });
    if (next !== shape && !dragged && !posting) {
      shape = next;
      rebuild(data);
    }
    refreshTimes(data);
    // Drawing again is offered as soon as a draw exists, without a reload.
    if (byId("draw-again-field")) { byId("draw-again-field").hidden = !(data.draws && data.draws.length); }
    tick();
  }

  // -- the countdown and its warnings -------------------------------------------------------

  function tone(frequency, seconds, delay) {
    if (!audio || byId("console-sound").getAttribute("aria-pressed") !== "true") { return; }
    var start = audio.currentTime + (delay || 0);
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.25, start);
    gain.gain.exponentialRampToValueAtTime(0.001, start + seconds);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + seconds);
  }

  function warn(key, message, sound) {
    if (warned[key]) { return; }
    warned[key] = true;
    byId("console-alert").textContent = message;
    sound();
  }

  function tick() {
    var current = state && state.current;
    var box = byId("console-countdown");
    var left = timer.showCountdown(box, current, poller.now());
    var panel = box.closest("section");
    panel.classList.toggle("is-warning", box.classList.contains("is-warning"));
    panel.classList.toggle("is-over", box.classList.contains("is-over"));
    byId("console-stopped").hidden = left === null || !current.ended_at;
    if (left === null || current.ended_at) { return; }
    var turn = current.id + "@" + current.started_at;
    if (left <= 0) {
      warn(turn + ":over", text.textOver, function () { tone(440, 0.35); tone(440, 0.35, 0.45); });
    } else if (left <= timer.WARNING_SECONDS) {
      warn(turn + ":warning", text.textWarning, function () { tone(880, 0.2); });
    }
  }

  function setUpSound() {
    var button = byId("console-sound");
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    byId("console-sound-line").hidden = false;
    button.addEventListener("click", function () {
      // Browsers let a page make sound only after a gesture: this click.
      audio = audio || new Context();
      var on = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", String(on));
      if (on) { audio.resume().then(function () { tone(880, 0.12); }); }
    });
  }

  // -- acting -------------------------------------------------------------------------------

  function say(message, ok) {
    var box = byId("console-message");
    box.textContent = message;
    box.className = "notice " + (ok ? "notice-success" : "notice-warning");
    box.hidden = false;
  }

  function send(url, data) {
    if (posting) { return; }
    posting = true;
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) {
          window.location.reload();  // logged out, or the form expired: the server's own page says so
          return;
        }
        return response.json().then(function (answer) { say(answer.message, answer.ok); });
      })
      .catch(function () { say(text.textFailed, false); })
      .then(function () {
        posting = false;
        shape = null;  // whatever came back, show the list as the server has it
        poller.poll();
      });
  }

  function setUpForms() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute("data-console-form")) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
      send(form.getAttribute("action"), data);
    });
  }

  function setUpDragging() {
    var body = byId("console-queue");
    var orderForm = byId("console-order");
    if (!orderForm) { return; }
    body.addEventListener("dragstart", function (event) {
      dragged = event.target.closest && event.target.closest("tr");
      if (!dragged) { return; }
      dragged.classList.add("is-dragged");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.id);
    });
    body.addEventListener("dragover", function (event) {
      var over = event.target.closest && event.target.closest("tr");
      if (!dragged || !over) { return; }
      event.preventDefault();
      if (over === dragged) { return; }
      var box = over.getBoundingClientRect();
      body.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    body.addEventListener("drop", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      dropped = true;
      var data = new FormData(orderForm);
      each(body, "tr", function (row) { data.append("order", row.dataset.id); });
      send(orderForm.getAttribute("action"), data);
    });
    body.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("is-dragged"); }
      dragged = null;
      if (!dropped && state) {  // let go elsewhere: every row back where the server has it
        shape = null;
        render(state);
      }
      dropped = false;
    });
  }

  function offline() {
    var notice = byId("console-offline");
    notice.textContent = text.textOffline;
    notice.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = byId("console");
    if (!root) { return; }
    text = root.dataset;
    poller = new timer.Poller(root.dataset.source, function (data) {
      byId("console-offline").hidden = true;
      render(data);
    }, offline);
    setUpSound();
    setUpForms();
    setUpDragging();
    poller.poll();
    window.setInterval(function () { if (state) { tick(); } }, TICK_MS);
  });
})();
