// The description's preview in the event editor: the text is sent to the app, which answers
// with the HTML visitors will see (rendered and sanitised on the server, never in the browser).
// Without JavaScript the "Preview" button submits the form and the page shows the same preview.
(function () {
  "use strict";
  function render(button) {
    var form = button.form;
    var source = form.elements[button.dataset.previewSource];
    var target = document.getElementById(button.dataset.previewTarget);
    var body = new FormData();
    body.append("csrf_token", form.elements.csrf_token.value);
    body.append("text", source.value);
    return fetch(button.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        target.querySelector("[data-preview-body]").innerHTML = data.html;  // sanitised by the app
        target.querySelector("[data-preview-warning]").hidden = !data.hidden_html;
        target.hidden = false;
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-preview-url]").forEach(function (button) {
      var timer = null;
      var source = button.form.elements[button.dataset.previewSource];
      button.addEventListener("click", function (event) {
        event.preventDefault();
        render(button).catch(function () {
          // The app did not answer as expected: fall back to the full-page preview.
          var marker = document.createElement("input");
          marker.type = "hidden";
          marker.name = "preview";
          marker.value = "1";
          button.form.appendChild(marker);
          button.form.submit();
        });
      });
      // Once the preview is open it follows the typing, a moment after each pause.
      source.addEventListener("input", function () {
        if (document.getElementById(button.dataset.previewTarget).hidden) { return; }
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { render(button).catch(function () {}); }, 600);
      });
    });
  });
})();
