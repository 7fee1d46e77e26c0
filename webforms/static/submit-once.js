// Forms marked data-submit-once ("Generuj") are sent once: a second click while the first is on
// its way does nothing, and the button says what is happening. The server refuses a second
// version from the same page anyway (the form carries the version it showed); this spares the wait.
(function () {
  "use strict";
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    var buttons = form.querySelectorAll("button[type=submit]");
    var labels = Array.prototype.map.call(buttons, function (button) { return button.textContent; });
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      // disabled after the submission has taken the form's values
      window.setTimeout(function () {
        buttons.forEach(function (button) {
          button.disabled = true;
          button.textContent = "Trwa generowanie…";
        });
      }, 0);
    });
    // back to this page from the browser's history: the form may be sent again
    window.addEventListener("pageshow", function () {
      delete form.dataset.sent;
      buttons.forEach(function (button, index) {
        button.disabled = button.hasAttribute("data-disabled-by-server");
        button.textContent = labels[index];
      });
    });
  });
})();
