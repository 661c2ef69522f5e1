// Forms: after a refused submission, the error summary takes the focus (a keyboard or
// screen-reader user lands on the list of errors, not at the top of a long page), and
// each of its links puts the focus in its field.
(function () {
  "use strict";
  function ready(callback) {
    if (document.readyState !== "loading") callback();
    else document.addEventListener("DOMContentLoaded", callback);
  }
  ready(function () {
    var summary = document.querySelector(".error-summary");
    if (summary && !summary.closest("details:not([open])")) summary.focus();
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-focus-field]");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  });
})();
