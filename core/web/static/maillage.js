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

// Destructive actions ask first, naming what goes: a mistaken tap on a phone must not
// delete anything. The question sits on the form (action_button) or on the button that
// submits it (one form, several buttons). confirm() is native: keyboard and screen readers
// handle it. Without JavaScript the action goes through unasked, like any plain form.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});

// « Copier » buttons next to a read-only field (the calendar address). The clipboard API
// needs HTTPS, which a closed intranet may lack: then the field is selected and the old
// copy command tried, and the person is told whether to finish with « Copier » themselves.
(function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector('[data-copy-status="' + button.getAttribute("data-copy") + '"]');
    if (!field) return;
    button.hidden = false;
    function tell(message) { if (status) status.textContent = message; }
    function selectAndTry() {
      field.focus();
      field.select();
      field.setSelectionRange(0, field.value.length);
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      tell(copied ? "Adresse copiée." : "Adresse sélectionnée : choisissez « Copier » pour la copier.");
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { tell("Adresse copiée."); }, selectAndTry);
      } else {
        selectAndTry();
      }
    });
  });
})();
