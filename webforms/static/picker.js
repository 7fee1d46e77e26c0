// Pickers above a wizard step (webforms/pickers.py): choosing an option fills the step's fields
// from its data-fill at once. Without JavaScript the "Wstaw" button does the same on the server.
(function () {
  "use strict";
  function fill(select) {
    var option = select.options[select.selectedIndex];
    if (!option || !option.dataset.fill) { return; }
    var values = JSON.parse(option.dataset.fill);
    Object.keys(values).forEach(function (name) {
      var field = document.getElementById(name);
      if (field) {
        field.value = values[name];
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    var note = select.closest("[data-picker]").querySelector("[data-picker-done]");
    if (note) { note.textContent = "Wstawiono: " + option.textContent + "."; }
  }
  document.querySelectorAll("[data-picker] select").forEach(function (select) {
    select.addEventListener("change", function () { fill(select); });
    // with JavaScript the choice is inserted on change: the no-JS button is not needed
    var button = select.closest("[data-picker]").querySelector("[data-picker-button]");
    if (button) { button.style.display = "none"; }
  });
})();
