// The print button: shown only where JavaScript runs (the browser's own Print works too).
document.addEventListener("DOMContentLoaded", function () {
  document.body.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  function reveal() {
    document.querySelectorAll("[data-print][hidden]").forEach(function (b) { b.hidden = false; });
  }
  reveal();
  document.body.addEventListener("htmx:afterSwap", reveal);
});
