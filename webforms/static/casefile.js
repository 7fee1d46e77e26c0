// The family card (families/edit.html): a person's placement fields (docgen.casefile.PLACEMENT_FIELDS)
// show only for a child marked "Przebywa w pieczy zastępczej". Without JavaScript they always show;
// nothing typed in them is ever removed, they are only hidden.
(function () {
  "use strict";
  var PLACEMENT = ["care_form", "care_name", "placement_date", "placement_court", "placement_case_number",
                   "placement_order_date"];
  function sync(card) {
    var marked = card.querySelector("input[type=checkbox][name$='-foster_care']");
    if (!marked) { return; }
    PLACEMENT.forEach(function (name) {
      var input = card.querySelector("[name$='-" + name + "']");
      var field = input && input.closest(".field");
      if (field) { field.hidden = !marked.checked && !input.value; }
    });
  }
  function watch(card) {
    var marked = card.querySelector("input[type=checkbox][name$='-foster_care']");
    if (marked && !marked.dataset.watched) {
      marked.dataset.watched = "1";
      marked.addEventListener("change", function () { sync(card); });
    }
    sync(card);
  }
  document.querySelectorAll(".row-card").forEach(watch);
  // rows added by "+ Dodaj" (static/rows.js)
  document.querySelectorAll("[data-rows]").forEach(function (rows) {
    new MutationObserver(function () { rows.querySelectorAll(".row-card").forEach(watch); })
      .observe(rows, { childList: true });
  });
})();
