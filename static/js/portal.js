/*
 * 卓越工程师人才服务平台 — the portal's own script. Loaded at the end of <body>, after Bootstrap and htmx.
 * The Content Security Policy allows no inline script or event-handler attribute: behaviour is declared
 * with data-* attributes and wired up here.
 */
(function () {
  "use strict";

  // The CSRF cookie is HttpOnly, so the token comes from <meta name="csrf-token"> in base.html.
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx: send the token with every unsafe request (htmx only talks to this site: selfRequestsOnly).
  document.addEventListener("htmx:configRequest", function (event) {
    var verb = (event.detail.verb || "get").toLowerCase();
    var token = csrfToken();
    if (verb !== "get" && token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // <button data-confirm="确定退回该岗位吗？">: ask before a consequential action.
  document.addEventListener(
    "click",
    function (event) {
      var trigger = event.target.closest("[data-confirm]");
      if (trigger && !trigger.hasAttribute("disabled") && !window.confirm(trigger.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // <form data-confirm="..."> also asks when submitted with the Enter key.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form.matches && form.matches("form[data-confirm]") && !event.submitter) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
          event.stopImmediatePropagation();
        }
      }
    },
    true
  );

  // A form that was sent is not sent again while its answer loads: a double click on 保存 would otherwise send it
  // twice, and the second request meets the state the first one made (a claim's hires already on the new claim).
  // Runs after the confirmations above (a cancelled one stops the event first). Released when the page is shown
  // again from the back-forward cache, and after a while for answers that are downloads (no new page comes).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches("form[method='post' i]")) {
      return;
    }
    if (form.hasAttribute("data-portal-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-portal-sent", "");
    window.setTimeout(function () {
      form.removeAttribute("data-portal-sent");
    }, 10000);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-portal-sent]").forEach(function (form) {
        form.removeAttribute("data-portal-sent");
      });
    }
  });

  // A table wider (or, on the dashboard, taller) than its box scrolls inside it: keyboard users must be able to
  // reach the box with Tab to scroll it with the arrow keys, and hear what it holds (its table's caption). Boxes
  // that do not scroll stay out of the Tab order. Checked again when the window is resized and after htmx swaps.
  function focusableScrollBoxes() {
    document.querySelectorAll(".table-responsive:not([tabindex])").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight) {
        return;
      }
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", (caption ? caption.textContent.trim() + "（" : "表格（") + "可滚动查看）");
    });
  }
  focusableScrollBoxes();
  window.addEventListener("resize", focusableScrollBoxes);
  document.addEventListener("htmx:afterSettle", focusableScrollBoxes);

  // <button data-portal-back class="d-none">: a "back" button shown only when there is a page to go back to.
  document.querySelectorAll("[data-portal-back]").forEach(function (button) {
    if (window.history.length > 1) {
      button.classList.remove("d-none");
      button.addEventListener("click", function () {
        window.history.back();
      });
    }
  });
})();
