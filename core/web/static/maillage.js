// The menu is open without JavaScript; on a phone we fold it to save the screen.
(function () {
  var menu = document.querySelector("details.menu");
  if (!menu) return;
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  function fit() { menu.open = !narrow.matches; }
  fit();
  narrow.addEventListener("change", fit);
})();

// Agenda filters: open without JavaScript; folded on a phone unless some are in use.
(function () {
  if (!window.matchMedia("(max-width: 47.99rem)").matches) return;
  document.querySelectorAll("details[data-fold-on-phone]").forEach(function (box) { box.open = false; });
})();

// Destructive buttons ask first: a mistaken tap on a phone must not delete anything.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
