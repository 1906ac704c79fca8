// The check-in desk: live counts every few seconds, what a typed code or name finds shown in
// place (the page's own part, checkin.found_part: no page to reload, the next code typed at
// once; without this script the form loads the page), and scanning in the page where the
// browser has a barcode detector (otherwise the phone's camera app opens the QR link).
(function () {
  "use strict";
  function refreshCounts(box) {
    fetch(box.dataset.countsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (!counts) { return; }
        box.querySelectorAll("[data-count]").forEach(function (el) {
          el.textContent = counts[el.dataset.count];
        });
      })
      .catch(function () {});
  }
  function startScanning(button, video) {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var timer = setInterval(function () {
        detector.detect(video).then(function (codes) {
          var link = codes.length ? codes[0].rawValue : "";
          if (link.indexOf(window.location.origin + "/manage/") === 0) {
            clearInterval(timer);
            stream.getTracks().forEach(function (t) { t.stop(); });
            window.location.assign(link);
          }
        }).catch(function () {});
      }, 300);
    }).catch(function () { button.hidden = true; });
  }
  function findInPlace(form, results) {
    var input = form.querySelector("[name=q]");
    form.addEventListener("submit", function (event) {
      var query = input.value.trim();
      if (!query) { return; }
      event.preventDefault();
      var url = form.dataset.foundUrl + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
        .then(function (html) {
          results.innerHTML = html;
          window.history.replaceState(null, "", "?q=" + encodeURIComponent(query));
          input.select();
        })
        .catch(function () { form.submit(); });  // the page itself answers instead
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-found-url]");
    var results = document.querySelector("[data-found]");
    if (form && results && window.fetch) { findInPlace(form, results); }
    var box = document.querySelector("[data-counts-url]");
    if (box) { setInterval(function () { refreshCounts(box); }, 5000); }
    var button = document.querySelector("[data-scan]");
    var video = document.querySelector("[data-scan-video]");
    if (button && video && "BarcodeDetector" in window && navigator.mediaDevices) {
      button.hidden = false;
      button.addEventListener("click", function () { startScanning(button, video); });
    }
  });
})();
