// 大走访 · progressive helpers. Every form works without them: they only hide what does not apply.
(function () {
  "use strict";

  function sync(root) {
    // Question builder: options only for choice questions, follow-up only for yes/no.
    var kind = root.querySelector("[data-kind-select]");
    if (kind) {
      root.querySelectorAll("[data-for-kind]").forEach(function (el) {
        el.hidden = el.dataset.forKind.split(" ").indexOf(kind.value) < 0;
      });
    }
    // Visit form: a follow-up shows when its yes/no answer is the trigger.
    root.querySelectorAll("[data-follow-on]").forEach(function (el) {
      var picked = root.querySelector("input[name='" + el.dataset.followFor + "']:checked");
      el.hidden = !picked || picked.value !== el.dataset.followOn;
    });
    // The problem note shows once the answer is marked as a problem.
    root.querySelectorAll("[data-problem-note]").forEach(function (el) {
      var box = root.querySelector("input[name='" + el.dataset.problemNote + "']");
      el.hidden = !(box && box.checked);
    });
    // A refused visit has no questionnaire.
    var refused = root.querySelector("input[name=outcome][value=refused]");
    var qs = root.querySelector("[data-questionnaire]");
    if (refused && qs) qs.hidden = refused.checked;
  }

  document.addEventListener("change", function () { sync(document); });
  document.addEventListener("DOMContentLoaded", function () { sync(document); });
})();
