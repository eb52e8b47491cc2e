/*
 * The portal's corrections to markup that Django's admin scripts write, on every admin page (admin/base_site.html).
 * Each gives a name to a control or icon that had none (axe-core's rules, WCAG 4.1.2); none changes what the admin
 * does. Run once the admin's own scripts have built their widgets, and on each inline row added.
 */
(function () {
  "use strict";

  var labelNumber = 0;

  function text(node) {
    return node ? node.textContent.replace(/[:：]\s*$/, "").trim() : "";
  }

  // What a form field is called: its <label>, or in a tabular inline (which has none) its column's heading.
  function fieldName(field) {
    var label = field.id ? document.querySelector('label[for="' + field.id + '"]') : null;
    if (label) {
      return { label: label, name: text(label) };
    }
    var cell = field.closest("td");
    var table = field.closest("table");
    if (!cell || !table || !table.tHead) {
      return null;
    }
    var heading = table.tHead.rows[0].cells[cell.cellIndex];
    return heading ? { label: heading, name: text(heading) } : null;
  }

  function idOf(node) {
    if (!node.id) {
      labelNumber += 1;
      node.id = "portal-label-" + labelNumber;
    }
    return node.id;
  }

  // Autocomplete boxes (select2): the box a keyboard reaches is named only by the text of the current choice, so an
  // empty one has no name at all. It is named by the field's label, then its choice.
  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var shown = document.getElementById("select2-" + select.id + "-container");
      var field = fieldName(select);
      if (!shown || !field) {
        return;
      }
      var combobox = shown.closest('[role="combobox"]');
      var names = idOf(field.label) + " " + shown.id;
      if (combobox && combobox.getAttribute("aria-labelledby") !== names) {
        combobox.setAttribute("aria-labelledby", names);
      }
      if (shown.getAttribute("aria-label") !== field.name) {
        shown.setAttribute("aria-label", field.name);
      }
    });
  }

  // Tabular inlines put each field in a table cell with no label: each is named by its column's heading.
  function nameInlineFields(root) {
    root.querySelectorAll(".tabular td input:not([type=hidden]), .tabular td select, .tabular td textarea").forEach(
      function (field) {
        if (field.labels && field.labels.length) {
          return;
        }
        var named = fieldName(field);
        if (named && named.name && !field.hasAttribute("aria-label")) {
          field.setAttribute("aria-label", named.name);
        }
      }
    );
    // The first column holds each row's record and has an empty heading.
    root.querySelectorAll(".tabular thead th.original:empty").forEach(function (heading) {
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = "记录";
      heading.appendChild(hidden);
    });
  }

  // The filter boxes of a two-list chooser carry their help as aria-label on a bare <span>, which names nothing
  // unless the span is an image (the icon it draws).
  function nameHelpIcons(root) {
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  // A changelist's search box is labelled by a magnifier image only.
  function nameSearchBox() {
    var box = document.getElementById("searchbar");
    if (box && !box.hasAttribute("aria-label")) {
      box.setAttribute("aria-label", "搜索");
    }
  }

  function correct(root) {
    nameInlineFields(root);
    nameHelpIcons(root);
  }

  // select2 builds its boxes when jQuery is ready, which may come before or after "load", and again for each inline
  // row added: each is named as it appears (the observer sees only added and removed nodes, not the names it sets).
  new MutationObserver(function () {
    nameAutocompletes(document);
  }).observe(document.documentElement, { childList: true, subtree: true });

  // The two-list chooser builds itself in a "load" handler that its script adds as it runs: one added once every
  // script has run (DOMContentLoaded) comes after it, and still runs before the page counts as loaded.
  document.addEventListener("DOMContentLoaded", function () {
    window.addEventListener("load", function () {
      correct(document);
      nameSearchBox();
    });
  });
  document.addEventListener("formset:added", function (event) {
    window.setTimeout(function () {
      correct(event.target);
    }, 0);
  });
})();
