// Reordering a list in the event editor, by dragging a row's handle or with its "Move up" and
// "Move down" buttons (the keyboard way). Both only rewrite the hidden position fields here;
// "Save" keeps the new order. Without JavaScript the buttons submit the form and the server
// moves the row and saves.
(function () {
  "use strict";
  function items(list) {
    return Array.prototype.filter.call(list.children, function (li) {
      return li.hasAttribute("data-sortable-item");
    });
  }
  function renumber(form) {
    var position = 0;
    form.querySelectorAll("[data-sortable-item] [data-position], .new-row [data-position]")
      .forEach(function (input) { input.value = String(position++); });
  }
  function changed(list, item) {
    var form = list.closest("form");
    renumber(form);
    var unsaved = form.querySelector("[data-unsaved]");
    if (unsaved) { unsaved.hidden = false; }
    var rows = items(list);
    var status = form.querySelector("[data-sortable-status]");
    if (status && item) {
      status.textContent = status.dataset.message
        .replace("{name}", item.dataset.name)
        .replace("{position}", String(rows.indexOf(item) + 1))
        .replace("{count}", String(rows.length));
    }
  }
  function move(button) {
    var item = button.closest("[data-sortable-item]");
    var list = item.parentElement;
    var rows = items(list);
    var index = rows.indexOf(item);
    var up = button.dataset.move === "up";
    var other = rows[up ? index - 1 : index + 1];
    if (!other) { return; }
    list.insertBefore(item, up ? other : other.nextSibling);
    button.focus();  // moving the row must not lose the keyboard's place
    changed(list, item);
  }
  function enableDragging(list) {
    var dragged = null;
    list.querySelectorAll(".drag-handle").forEach(function (handle) {
      handle.hidden = false;
      var item = handle.closest("[data-sortable-item]");
      handle.addEventListener("mousedown", function () { item.draggable = true; });
      handle.addEventListener("mouseup", function () { item.draggable = false; });
    });
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-sortable-item]");
      if (!dragged || !dragged.draggable) { event.preventDefault(); return; }
      dragged.classList.add("is-dragged");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.name || "");
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest && event.target.closest("[data-sortable-item]");
      if (!dragged || !over || over === dragged || over.parentElement !== list) { return; }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) { event.preventDefault(); });
    list.addEventListener("dragend", function () {
      if (!dragged) { return; }
      dragged.classList.remove("is-dragged");
      dragged.draggable = false;
      changed(list, dragged);
      dragged = null;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sortable]").forEach(function (list) {
      enableDragging(list);
      list.addEventListener("click", function (event) {
        var button = event.target.closest("[data-move]");
        if (!button) { return; }
        event.preventDefault();
        move(button);
      });
    });
  });
})();
