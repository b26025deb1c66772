// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions: <button data-confirm="...">.
  document.addEventListener("submit", function (ev) {
    var btn = ev.submitter;
    var msg = (btn && btn.getAttribute("data-confirm")) || ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  });
  // Put the cursor on the first field in error, or the first field of a form
  // marked data-autofocus, so keyboard users can type at once.
  document.addEventListener("DOMContentLoaded", function () {
    var bad = document.querySelector("[aria-invalid=true]");
    if (bad) {
      bad.focus();
      return;
    }
    var first = document.querySelector("form[data-autofocus] input:not([type=hidden]), .card.narrow form input:not([type=hidden])");
    if (first) {
      first.focus();
    }
  });
})();
