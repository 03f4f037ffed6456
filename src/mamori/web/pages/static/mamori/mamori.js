/* Behaviour of the pages without inline script (the Content-Security-Policy allows scripts from this site
   only): confirmations, selects that submit their form, the incident form's guard against a draft save
   racing the final submit, and widths of bar charts given as data. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-submit-once")) form.dataset.submitted = "1";
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });

  // A draft save (htmx) must not start once the report itself is being submitted.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    var form = source && source.closest ? source.closest("form[data-submit-once]") : null;
    if (form && form.dataset.submitted) event.preventDefault();
  });

  function widths(root) {
    var bars = (root || document).querySelectorAll("[data-width]");
    for (var i = 0; i < bars.length; i++) {
      var value = parseFloat(bars[i].getAttribute("data-width"));
      if (!isNaN(value)) bars[i].style.width = Math.max(0, Math.min(100, value)) + "%";
    }
  }
  // On a phone a list table becomes cards: each cell carries its column's name (shown by the CSS).
  function labels(root) {
    var tables = (root || document).querySelectorAll("table.list");
    for (var t = 0; t < tables.length; t++) {
      var heads = tables[t].querySelectorAll("thead th");
      var rows = tables[t].querySelectorAll("tbody tr");
      for (var r = 0; r < rows.length; r++) {
        var cells = rows[r].children;
        for (var c = 0; c < cells.length && c < heads.length; c++) {
          var name = heads[c].textContent.trim();
          if (name && cells[c].tagName === "TD" && !cells[c].hasAttribute("colspan")) cells[c].setAttribute("data-label", name);
        }
      }
    }
  }

  // The menu folds away on a phone behind one button.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest ? event.target.closest(".nav-toggle") : null;
    if (!toggle) return;
    var bar = toggle.closest(".bar");
    var open = bar.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("DOMContentLoaded", function () { widths(document); labels(document); });
  document.addEventListener("htmx:afterSwap", function (event) { widths(event.target); labels(event.target); });
})();
