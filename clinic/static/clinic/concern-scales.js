// The concern form: once an indication is chosen, only its own severity scales are offered,
// and once a scale is chosen, only its grades (read from the page's concern-scales JSON; no
// inline script, for the CSP). Without JavaScript every scale is listed and the server refuses
// another indication's, as it still does with it.
(function () {
  "use strict";
  var source = document.getElementById("concern-scales");
  if (!source) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var indication = document.getElementById(data.fields.indication);
  var scale = document.getElementById(data.fields.grading_scale);
  var grade = document.getElementById(data.fields.baseline_grade);
  if (!indication || !scale || !grade) {
    return;
  }
  // The server's full lists, kept to rebuild from.
  var allScales = scale.cloneNode(true);
  var allGrades = grade.cloneNode(true);

  function blank(select) {
    var first = select.querySelector("option[value='']");
    return first ? first.cloneNode(true) : new Option("---------", "");
  }

  function offerScales() {
    var allowed = data.by_indication[indication.value];
    var keep = scale.value;
    if (!indication.value || !allowed) {
      scale.innerHTML = allScales.innerHTML;
    } else {
      // One flat list of this indication's scales (each once, in the server's order).
      scale.innerHTML = "";
      scale.appendChild(blank(allScales));
      var seen = {};
      allScales.querySelectorAll("option").forEach(function (option) {
        var pk = Number(option.value);
        if (option.value && allowed.indexOf(pk) !== -1 && !seen[pk]) {
          seen[pk] = true;
          scale.appendChild(option.cloneNode(true));
        }
      });
    }
    scale.value = keep;
    if (scale.value !== keep) {
      scale.value = "";
    }
    offerGrades();
  }

  function offerGrades() {
    var codes = [];
    if (scale.value) {
      codes = [data.codes[scale.value]];
    } else {
      scale.querySelectorAll("option").forEach(function (option) {
        if (option.value && data.codes[option.value]) {
          codes.push(data.codes[option.value]);
        }
      });
    }
    var keep = grade.value;
    grade.innerHTML = "";
    grade.appendChild(blank(allGrades));
    allGrades.querySelectorAll("optgroup").forEach(function (group) {
      var first = group.querySelector("option");
      var code = first ? first.value.split(":")[0] : "";
      if (codes.indexOf(code) !== -1) {
        grade.appendChild(group.cloneNode(true));
      }
    });
    grade.value = keep;
    if (grade.value !== keep) {
      grade.value = "";
    }
  }

  indication.addEventListener("change", offerScales);
  scale.addEventListener("change", offerGrades);
  offerScales();
})();
