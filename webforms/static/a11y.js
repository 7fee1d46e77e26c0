// Two helps for keyboard users, on every page:
// - after a form came back with problems, the keyboard starts at the first field in error (its label,
//   help and message are read with it); the summary above says what to fix (role="alert");
// - a wide table that scrolls inside its card (a phone, a zoomed page) can be focused and scrolled
//   with the arrow keys, and is named after its section's heading.
(function () {
  "use strict";
  var first = document.querySelector('main [aria-invalid="true"]');
  if (first) {
    first.focus({ preventScroll: true });
    (first.closest(".field") || first).scrollIntoView({ block: "center" });
  }

  var boxes = document.querySelectorAll(".table-scroll");
  function heading(box) {
    var holder = box.closest("section, .card, main");
    var title = holder && holder.querySelector("h1, h2, h3");
    return title ? title.textContent.trim() : "";
  }
  function update() {
    boxes.forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (heading(box) ? heading(box) + " – " : "") + "tabela przewijana w poziomie");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  if (boxes.length) {
    update();
    window.addEventListener("resize", update);
  }
})();
