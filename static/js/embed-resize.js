// A framed form (rsvp.embed): tells the page that frames it how tall it is, so that page can size
// its iframe (to the origins allowed to frame it only, data-embed-origins; nothing else is said),
// and opens links to the rest of the site in a new tab, since those pages refuse to be framed.
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var origins = (document.body.getAttribute("data-embed-origins") || "").split(" ").filter(Boolean);
  var main = document.getElementById("main");
  var last = 0;
  function tell() {
    var style = window.getComputedStyle(document.body);
    var height = Math.ceil(main.getBoundingClientRect().bottom + window.scrollY
      + parseFloat(style.marginBottom || "0") + parseFloat(style.paddingBottom || "0"));
    if (height === last) {
      return;
    }
    last = height;
    origins.forEach(function (origin) {
      window.parent.postMessage({ type: "rsvp:resize", height: height }, origin);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (link) {
    if (link.pathname.indexOf("/embed") === -1) {
      link.target = "_blank";
      link.rel = "noopener";
    }
  });
  tell();
  window.addEventListener("load", tell);
  if ("ResizeObserver" in window) {
    new ResizeObserver(tell).observe(main);
  }
})();
