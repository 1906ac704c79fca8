// The check-in desk: live counts every few seconds, and scanning in the page where the
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
  document.addEventListener("DOMContentLoaded", function () {
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
