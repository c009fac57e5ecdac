// The plan parameters page: choosing a protocol fills in its sessions, interval and depth
// (read from the page's protocol-defaults JSON; no inline script, for the CSP). Without
// JavaScript, "Use this protocol's defaults" asks the server for the same.
(function () {
  "use strict";
  var source = document.getElementById("protocol-defaults");
  if (!source) {
    return;
  }
  var defaults = JSON.parse(source.textContent);
  var fields = ["sessions", "interval_days", "depth_mm"];
  var submit = document.querySelector("[data-protocol-defaults-submit]");
  if (submit) {
    submit.hidden = true; // the radios do it now (the style too: buttons have a display)
    submit.style.display = "none";
  }
  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.name !== "protocol" || !radio.checked || !defaults[radio.value]) {
      return;
    }
    var values = defaults[radio.value];
    fields.forEach(function (name) {
      var input = radio.form && radio.form.elements[name];
      if (input && values[name] !== undefined) {
        input.value = values[name];
      }
    });
  });
})();
