// CasePilot chat page: open the answer stream of each new exchange and fill it in as the
// server-sent events arrive. The server renders every fragment (escaped); this only places it.
(function () {
  "use strict";

  var targets = {
    answer: ".pilot-answer__summary",
    fact: ".pilot-facts",
    code: ".pilot-codes",
    notice: ".pilot-notices",
  };

  function connect(box) {
    if (box.dataset.started) return;
    box.dataset.started = "1";
    var source = new EventSource(box.dataset.pilotStream);
    Object.keys(targets).forEach(function (name) {
      source.addEventListener(name, function (event) {
        box.querySelector(targets[name]).insertAdjacentHTML("beforeend", event.data);
      });
    });
    source.addEventListener("status", function (event) {
      var status = box.querySelector(".pilot-status");
      if (status) status.outerHTML = event.data;
    });
    source.addEventListener("done", function (event) {
      source.close();
      var status = box.querySelector(".pilot-status");
      if (status) status.remove();
      box.insertAdjacentHTML("beforeend", event.data);
      box.dataset.done = "1";
      var done = box.querySelector(".pilot-done");
      var field = document.querySelector("#pilot-form input[name=conversation]");
      if (done && field && done.dataset.conversation) field.value = done.dataset.conversation;
    });
    source.onerror = function () {
      if (box.dataset.done) return;
      source.close();
      var status = box.querySelector(".pilot-status");
      if (status) status.textContent = "The answer was interrupted. Ask again in a moment.";
    };
  }

  function connectAll(root) {
    (root || document).querySelectorAll("[data-pilot-stream]").forEach(connect);
  }

  document.addEventListener("DOMContentLoaded", function () {
    connectAll(document);
    var form = document.getElementById("pilot-form");
    if (!form) return;
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) form.querySelector("textarea").value = "";
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    connectAll(event.detail.target);
    event.detail.target.lastElementChild && event.detail.target.lastElementChild.scrollIntoView({block: "nearest"});
  });
  // Refusals (a question too long, the daily limit) come back as 422/429 with a message to show.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
