// "Copy link": without JavaScript the link is a read-only field to select and
// copy by hand; this adds a button that copies it with the Clipboard API.
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!field || !status) return;
    // A tap or Tab into the field selects the whole link, ready to copy.
    field.addEventListener("focus", function () { field.select(); });
    // The Clipboard API exists only on HTTPS (and localhost): otherwise the field stays.
    if (!navigator.clipboard || !window.isSecureContext) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { status.textContent = button.dataset.copied; },
        function () {
          field.focus();
          status.textContent = button.dataset.copyFailed;
        }
      );
    });
  });
})();
