// Lesson form: choosing a unit ticks its strands; choosing a year group hides units not planned for it.
// Query-string ?year_group=5&strand=bullying (from a gap's "Log the lesson" link) preselects both.
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  ready(function () {
    var unit = document.querySelector("[data-unit-select]");
    var year = document.querySelector("[data-unit-filter]");
    if (unit) {
      unit.addEventListener("change", function () {
        var option = unit.options[unit.selectedIndex];
        var strands = (option && option.dataset.strands || "").split(" ").filter(Boolean);
        strands.forEach(function (s) { var box = document.getElementById("strand-" + s); if (box) { box.checked = true; } });
      });
    }
    function filterUnits() {
      if (!unit || !year) { return; }
      var y = year.value;
      Array.prototype.forEach.call(unit.options, function (o) {
        if (!o.value) { return; }
        var years = (o.dataset.years || "").split(" ");
        o.hidden = Boolean(y) && years.indexOf(y) === -1;
      });
    }
    if (year) { year.addEventListener("change", filterUnits); }
    var params = new URLSearchParams(window.location.search);
    if (year && params.get("year_group")) { year.value = params.get("year_group"); }
    if (params.get("strand")) { var box = document.getElementById("strand-" + params.get("strand")); if (box) { box.checked = true; } }
    filterUnits();
    // Briefing form: "Tick everyone".
    document.querySelectorAll("[data-check-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        document.querySelectorAll('input[name="' + button.dataset.checkAll + '"]').forEach(function (b) { b.checked = true; });
      });
    });
  });
})();
