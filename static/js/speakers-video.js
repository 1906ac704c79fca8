// A video statement larger than the server takes is refused here, before anything is sent: the
// file is taken off the form (the rest stays as typed) and the limit is said beside the field.
// The server checks again (its own message, or a 413 page when far over).
(function () {
  "use strict";
  function check(input) {
    var max = Number(input.getAttribute("data-max-bytes"));
    var note = document.getElementById(input.id + "-too-large");
    var file = input.files && input.files[0];
    if (file && file.size > max) {
      input.value = "";
      if (!note) {
        note = document.createElement("p");
        note.className = "error";
        note.id = input.id + "-too-large";
        note.setAttribute("role", "alert");
        input.insertAdjacentElement("afterend", note);
      }
      note.textContent = input.getAttribute("data-too-large");
    } else if (note) {
      note.remove();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('input[type="file"][data-max-bytes]').forEach(function (input) {
      input.addEventListener("change", function () { check(input); });
    });
  });
})();
