// Shows a part of a form only when it applies: data-show-when="field=value" on a
// container hides it unless the radio button or select named "field" holds
// "value". Without JavaScript everything stays visible, with hints saying when
// each part applies.
(function () {
  "use strict";
  function current(form, name) {
    var checked = form.querySelector('input[type="radio"][name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var hidden = form.querySelector('input[type="hidden"][name="' + name + '"], select[name="' + name + '"]');
    return hidden ? hidden.value : "";
  }
  function update(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (el) {
      var rule = el.getAttribute("data-show-when").split("=");
      var hasControl = form.querySelector('[name="' + rule[0] + '"]');
      el.hidden = Boolean(hasControl) && current(form, rule[0]) !== rule[1];
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-when]")) { return; }
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
