/*
 * Search-as-you-type for the box on every page (#site-search) and every input[data-suggest]:
 * the ARIA 1.2 combobox pattern over the HTML fragment that /search/suggest?q= returns (an htmx-style partial).
 * Debounced; ArrowDown/ArrowUp move through the options, Enter opens the active one (or
 * submits the search when none is active), Escape closes the list. No inline script or
 * style attributes, so it runs under a strict Content-Security-Policy.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var SUGGEST_URL = "/search/suggest";

  function attach(input) {
    if (!input || input.dataset.autocomplete === "on") {
      return;
    }
    input.dataset.autocomplete = "on";
    var form = input.form;
    var list = document.createElement("ul");
    list.id = input.id + "-listbox";
    list.className = "site-search__listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    var box = list.style;
    box.position = "absolute";
    box.zIndex = "50";
    box.margin = "0";
    box.padding = "0";
    box.listStyle = "none";
    box.background = "#fff";
    box.border = "1px solid #8a8a8a";
    box.maxHeight = "24rem";
    box.overflowY = "auto";
    box.minWidth = "20rem";
    input.insertAdjacentElement("afterend", list);
    if (input.parentElement && getComputedStyle(input.parentElement).position === "static") {
      input.parentElement.style.position = "relative";
    }

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var timer = null;
    var controller = null;
    var sequence = 0;
    var active = -1;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll('[role="option"]:not([aria-disabled="true"])'));
    }

    function open() {
      list.hidden = false;
      box.top = input.offsetTop + input.offsetHeight + "px";
      box.left = input.offsetLeft + "px";
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options();
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
        item.classList.toggle("suggestion--active", i === index);
      });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(html, mine) {
      if (mine !== sequence) {
        return; // an older request answered after a newer one
      }
      list.innerHTML = html;
      if (input.id !== "site-search") {
        // The fragment names its options for the header box; keep ids unique per box.
        Array.prototype.forEach.call(list.querySelectorAll('[role="option"]'), function (item) {
          item.id = item.id.replace(/^site-search-option/, input.id + "-option");
        });
      }
      active = -1;
      if (list.children.length) {
        open();
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      sequence += 1;
      var mine = sequence;
      if (controller) {
        controller.abort();
      }
      if (!q) {
        show("", mine);
        return;
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch(SUGGEST_URL + "?q=" + encodeURIComponent(q), {
        headers: { "HX-Request": "true", Accept: "text/html" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          show(html, mine);
        })
        .catch(function () {
          /* aborted or offline: keep the current list */
        });
    }

    function go(item) {
      var href = item && item.getAttribute("data-href");
      if (href) {
        close();
        window.location.assign(href);
      }
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var items = options();
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden && items.length) {
          open();
        }
        highlight(items.length ? (active + 1) % items.length : -1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(items.length ? (active <= 0 ? items.length - 1 : active - 1) : -1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && items[active]) {
          event.preventDefault();
          go(items[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      }
    });

    list.addEventListener("mousedown", function (event) {
      // Keep focus in the box so the click lands on the option.
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var item = event.target.closest('[role="option"]');
      if (item) {
        event.preventDefault();
        go(item);
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
    if (form) {
      form.addEventListener("submit", close);
    }
  }

  function start() {
    attach(document.getElementById("site-search"));
    // Every other search box that asks for it (home page, search page, error pages).
    Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
