// Accord's page script: the browser's time zone, the phone menu, and keyboard access to tables
// that scroll sideways. Pages work without it (dates in UTC, the menu always open).
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.replace("no-js", "js");

  // The browser's zone goes to the server once, in a cookie; pages then show dates in it
  // (accord/web/middleware.py) unless the user chose a zone on "Your settings".
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var known = document.cookie.split("; ").indexOf("accord_tz=" + zone) !== -1;
    if (zone && !known) {  // set on the sign-in page, so the first page after it uses it
      document.cookie = "accord_tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* no Intl or no cookies: dates stay in UTC */ }

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
    // The bar's "More" list closes on a click elsewhere and on Escape (back to its summary).
    var more = document.querySelector("header.top details.more");
    if (more) {
      document.addEventListener("click", function (event) {
        if (more.open && !more.contains(event.target)) { more.open = false; }
      });
      more.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && more.open) {
          more.open = false;
          more.querySelector("summary").focus();
        }
      });
    }
    scrollableTables();
  });
  window.addEventListener("resize", scrollableTables);
  document.addEventListener("htmx:afterSettle", scrollableTables);
})();
