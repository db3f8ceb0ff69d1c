// 亲商 · small page helpers. Every page works without them; they only save clicks.
(function () {
  "use strict";

  // A dispatch form: picking a category fills in its default lead department and time limit.
  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (!sel.matches || !sel.matches("select[data-category-defaults]")) return;
    var opt = sel.options[sel.selectedIndex];
    var form = sel.form;
    if (!opt || !form) return;
    var dept = form.querySelector("[name=lead_department_id]");
    var days = form.querySelector("[name=time_limit_days]");
    if (dept && opt.dataset.dept) dept.value = opt.dataset.dept;
    if (days && opt.dataset.days) days.value = opt.dataset.days;
  });

  // A select that applies itself when changed (the park switcher): <select data-autosubmit>.
  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (sel.matches && sel.matches("select[data-autosubmit]") && sel.form) sel.form.submit();
  });

  // "Select all" boxes: <input type=checkbox data-check-all="ids">.
  document.addEventListener("change", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("input[data-check-all]")) return;
    var name = box.dataset.checkAll;
    document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (b) {
      if (!box.form || b.form === box.form) b.checked = box.checked;
    });
  });

  // The phone's one-row menu scrolls so that the current page's entry is in view.
  document.addEventListener("DOMContentLoaded", function () {
    var on = document.querySelector(".nav a.on");
    var row = on && on.parentElement;
    if (row && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = on.offsetLeft - (row.clientWidth - on.offsetWidth) / 2;
    }
  });

  // Buttons that change many items ask first: <button data-confirm="...">.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("[data-confirm]") : null;
    if (btn && !window.confirm(btn.dataset.confirm)) e.preventDefault();
  });
  // 答复模板: picking a template puts its text into the form's answer, asking before it
  // replaces what was already written there. <select data-fill-answer>, options with data-body.
  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (!sel.matches || !sel.matches("select[data-fill-answer]") || !sel.form) return;
    var opt = sel.options[sel.selectedIndex];
    var box = sel.form.querySelector("textarea[name=answer]");
    if (!opt || !opt.dataset.body || !box) return;
    var typed = box.value.trim();
    if (typed && typed !== opt.dataset.body && !window.confirm("用模板替换已填写的答复内容？")) {
      sel.value = "";
      return;
    }
    box.value = opt.dataset.body;
    box.focus();
  });

  // 采用: a knowledge-base answer fills the 当场解决 answer (still editable) and records which
  // entry it came from: <button data-kb-fill data-text="…" data-ref="kb:12">.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("[data-kb-fill]") : null;
    if (!btn) return;
    e.preventDefault();
    var answer = document.querySelector("textarea[data-answer-target]");
    if (!answer) return;
    var box = answer.closest("details");
    if (box) box.open = true;
    var form = answer.form || document;
    var onSpot = form.querySelector("input[name=on_spot]");
    if (onSpot) onSpot.checked = true;
    answer.value = btn.dataset.text || "";
    var ref = form.querySelector("input[data-reference-target]");
    if (ref) ref.value = btn.dataset.ref || "";
    var label = form.querySelector("[data-reference-label]");
    if (label) {
      label.textContent = btn.dataset.ref ? "答复依据：" + (btn.dataset.title || btn.dataset.ref) : "";
      label.hidden = !btn.dataset.ref;
    }
    answer.focus();
    answer.scrollIntoView({ block: "center" });
  });
})();
