// Score sheet helpers: a live total (the confirm before the final submit is app.js's). The page works without it.
(function () {
  "use strict";

  // Picking a band narrows the points input to that band (the server checks it again).
  document.querySelectorAll("select[data-band-for]").forEach(function (select) {
    var input = document.getElementById(select.getAttribute("data-band-for"));
    if (!input) { return; }
    var limits = { min: input.getAttribute("min"), max: input.getAttribute("max") };
    var apply = function () {
      var option = select.options[select.selectedIndex];
      var low = option && option.getAttribute("data-low");
      input.setAttribute("min", low !== null && low !== undefined ? low : limits.min);
      input.setAttribute("max", low !== null && low !== undefined ? option.getAttribute("data-high") : limits.max);
    };
    select.addEventListener("change", apply);
    apply();
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
  update();  // after a refused save the boxes hold what was typed: the total should too
})();
