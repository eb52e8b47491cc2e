/*
 * The admin's export page (admin/import_export/export.html): its "select all" box ticks or clears every field, through
 * django-import-export's own handler, wired here because the Content Security Policy blocks inline event attributes.
 */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".select-toggle").forEach(function (toggle) {
      if (typeof window.onSelectToggleChange === "function") {
        toggle.addEventListener("change", window.onSelectToggleChange);
      }
    });
  });
})();
