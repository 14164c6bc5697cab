// Score sheet helpers: confirm before the final submit, and a live total. The page works without it.
(function () {
  "use strict";

  // A single button (not the whole form) asks for confirmation: "Lưu nháp" must not.
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  var total = document.getElementById("sheet-total");
  if (!total) { return; }
  var inputs = document.querySelectorAll("input[data-points]");
  var update = function () {
    var sum = 0;
    inputs.forEach(function (input) {
      var value = parseFloat(String(input.value).replace(",", "."));
      if (!isNaN(value)) { sum += value; }
    });
    total.textContent = String(Math.round(sum * 100) / 100).replace(".", ",");
  };
  inputs.forEach(function (input) { input.addEventListener("input", update); });
})();
