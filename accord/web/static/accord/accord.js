// Accord's page script: the phone menu, and keyboard access to tables that scroll sideways.
// Pages work without it (the menu then stays open).
(function () {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");

  // A table wider than a phone scrolls inside itself (accord.css); a keyboard user must be able
  // to focus it to scroll it (WCAG 2.1.1), so it joins the tab order while it overflows.
  function scrollableTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    if (toggle) {
      var header = toggle.closest("header");
      toggle.addEventListener("click", function () {
        var open = header.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    scrollableTables();
  });
  window.addEventListener("resize", scrollableTables);
  document.addEventListener("htmx:afterSettle", scrollableTables);
})();
