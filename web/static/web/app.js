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
  // 来电企业: "选用此企业" on the caller card puts the enterprise into the intake form.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("[data-pick-enterprise]") : null;
    if (!btn) return;
    var form = btn.closest("form") || document;
    var box = form.querySelector("input[name=enterprise]");
    if (box) box.value = btn.dataset.pickEnterprise;
    var kind = form.querySelector("select[name=requester_kind]");
    if (kind) kind.value = "enterprise";
    if (box) box.focus();
  });
  // 我的视图: the save form takes the filter form's fields as they are when it is sent (htmx
  // changes them without reloading the page): <form data-query-from="filter-form-id">.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.dataset || !form.dataset.queryFrom) return;
    var source = document.getElementById(form.dataset.queryFrom);
    var box = form.querySelector("input[name=query]");
    if (source && box) box.value = new URLSearchParams(new FormData(source)).toString();
  });
  // Keyboard work of a queue or the ledger: <ul|tbody data-keynav> whose children are the rows.
  // j/k move, x ticks the row's checkbox, Enter (or o) opens its first link, / goes to the search
  // box. Keys typed into a field, or with Ctrl/Alt/⌘, are left alone.
  function keyRows() {
    var list = document.querySelector("[data-keynav]");
    return list ? Array.prototype.filter.call(list.children, function (r) {
      return r.querySelector("a[href]");
    }) : [];
  }
  function keyMove(rows, to) {
    rows.forEach(function (r) { r.classList.remove("kb-on"); r.removeAttribute("aria-current"); });
    var row = rows[to];
    row.classList.add("kb-on");
    row.setAttribute("aria-current", "true");
    row.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      // Esc leaves the ledger's search box for the rows; Chromium would empty the box instead.
      if (e.key === "Escape" && t.matches("[data-keynav-search]")) { e.preventDefault(); t.blur(); }
      return;
    }
    if (e.key === "/") {
      var q = document.querySelector("[data-keynav-search]");
      if (q) { e.preventDefault(); q.focus(); q.select(); }
      return;
    }
    var rows = keyRows();
    if (!rows.length) return;
    var at = rows.findIndex(function (r) { return r.classList.contains("kb-on"); });
    if (e.key === "j" || e.key === "k") {
      e.preventDefault();
      var to = at < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, at + (e.key === "j" ? 1 : -1)));
      keyMove(rows, to);
    } else if (e.key === "x" && at >= 0) {
      var box = rows[at].querySelector("input[type=checkbox]");
      if (box) { e.preventDefault(); box.checked = !box.checked; }
    } else if ((e.key === "Enter" || e.key === "o") && at >= 0) {
      e.preventDefault();
      window.location.href = rows[at].querySelector("a[href]").href;
    }
  });
})();
