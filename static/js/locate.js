// "Use my location": fills the near field with rounded coordinates from the
// browser. Nothing is sent anywhere until the visitor submits the form.
(function () {
  "use strict";
  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    var input = button.form && button.form.querySelector("[name=near]");
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        // Two decimals is about a kilometre: enough to sort by distance.
        input.value = position.coords.latitude.toFixed(2) + "," + position.coords.longitude.toFixed(2);
        input.focus();
      });
    });
  });
})();
