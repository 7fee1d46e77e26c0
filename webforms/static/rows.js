// "+ Dodaj" in a repeating group (webforms/templates/_fields.html): the row is copied from the
// group's <template>, so the page does not reload and stays where it was scrolled to. Without
// JavaScript the button sends the form and the server adds the row (webforms.wizard.apply_row_action).
(function () {
  "use strict";
  document.querySelectorAll("[data-repeat]").forEach(function (group) {
    var template = group.querySelector("template[data-row-template]");
    var button = group.querySelector("[data-add-row]");
    var rows = group.querySelector("[data-rows]");
    var status = group.querySelector("[data-row-status]");
    if (!template || !button || !rows) { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      // rows are numbered 0..n-1 by the server and kept so here: "Usuń" removes by that position
      var count = rows.querySelectorAll(".row-card").length;
      var limit = parseInt(group.dataset.max, 10);
      if (count >= limit) {
        if (status) { status.textContent = "Można dodać najwyżej " + limit + " pozycji."; }
        return;
      }
      // the template holds only the server's own markup (labels, empty inputs), never typed text
      var html = template.innerHTML.replace(/__i__/g, String(count)).replace(/__n__/g, String(count + 1));
      var empty = rows.querySelector("[data-empty]");
      var top = window.scrollY;
      if (empty) { empty.remove(); }
      rows.insertAdjacentHTML("beforeend", html);
      // the page stays where it was: the new row takes the place of the button that was clicked
      window.scrollTo(window.scrollX, top);
      var first = rows.lastElementChild.querySelector("input, select, textarea");
      if (first) {
        first.focus({ preventScroll: true });
        if (first.getBoundingClientRect().bottom > window.innerHeight) { first.scrollIntoView({ block: "nearest" }); }
      }
      if (status) { status.textContent = "Dodano pozycję " + (count + 1) + "."; }
    });
  });
})();
