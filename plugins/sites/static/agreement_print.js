// The printable agreement's « Imprimer » button: shown only when JavaScript can print (the
// Content-Security-Policy forbids inline handlers). Without it, the browser's own command.
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
