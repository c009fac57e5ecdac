// Django's filter_horizontal widget (SelectFilter2.js) names its search icons with aria-label on a
// bare <span>, which ARIA forbids (axe-core: aria-prohibited-attr, serious). Giving them the img
// role keeps the name valid. The widget builds itself on "load", so this runs just after it.
window.addEventListener("load", function () {
  window.setTimeout(function () {
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }, 0);
});
