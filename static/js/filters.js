// On a wide screen the filters are a sidebar: open them there. On a phone they
// stay closed behind "Filters (n)" so the results come first. Without this
// script the sidebar shows the same closed control, which opens on a tap.
(function () {
  "use strict";
  var filters = document.querySelector("[data-filters]");
  if (!filters || !window.matchMedia) return;
  if (window.matchMedia("(min-width: 60rem)").matches) filters.open = true;
})();
