/* tqcheck HTML report: popovers for highlights and the category/severity filters.
   Works on every <section class="tq-doc"> of the page; reads only the page itself. */
(function () {
  "use strict";
  var RANK = { minor: 1, major: 2, critical: 3 };
  var pop = document.getElementById("tq-pop");
  var pinned = null;

  function item(mark, i) {
    var sec = mark.closest(".tq-doc");
    return sec ? document.getElementById(sec.getAttribute("data-doc") + "-f" + i) : null;
  }

  function ids(mark) {
    return (mark.getAttribute("data-f") || "").split(" ").filter(Boolean);
  }

  function visibleItems(mark) {
    return ids(mark).map(function (i) { return item(mark, i); })
      .filter(function (li) { return li && !li.classList.contains("off"); });
  }

  function place(mark) {
    var r = mark.getBoundingClientRect();
    var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - pop.offsetWidth - 8));
    pop.style.left = left + "px";
    pop.style.top = (r.bottom + window.scrollY + 6) + "px";
  }

  function show(mark) {
    if (!pop) { return false; }
    var items = visibleItems(mark);
    if (!items.length) { return false; }
    pop.replaceChildren();
    items.forEach(function (li) {
      var card = li.querySelector(".card");
      if (card) { pop.appendChild(card.cloneNode(true)); }
    });
    pop.hidden = false;
    place(mark);
    return true;
  }

  function hide() {
    if (pop) { pop.hidden = true; }
    document.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
  }

  function pin(mark) {
    hide();
    if (!show(mark)) { pinned = null; return; }
    pinned = mark;
    mark.classList.add("active");
    visibleItems(mark).forEach(function (li) { li.classList.add("active"); });
  }

  document.querySelectorAll("mark.hl").forEach(function (mark) {
    mark.addEventListener("mouseenter", function () { if (!pinned) { show(mark); } });
    mark.addEventListener("mouseleave", function () { if (!pinned) { hide(); } });
    mark.addEventListener("focus", function () { if (!pinned) { show(mark); } });
    mark.addEventListener("blur", function () { if (!pinned) { hide(); } });
    mark.addEventListener("click", function (ev) {
      ev.stopPropagation();
      if (pinned === mark) { pinned = null; hide(); } else { pin(mark); }
    });
    mark.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pin(mark); }
    });
  });
  document.addEventListener("click", function (ev) {
    if (pinned && pop && !pop.contains(ev.target)) { pinned = null; hide(); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { pinned = null; hide(); }
  });

  /* Filters: a finding is shown when its severity and category are both ticked (and, for
     findings a baseline knows, when "known" is ticked). A highlight takes the colour of the
     worst finding still shown under it, or none. */
  var filters = document.getElementById("tq-filters");
  function apply() {
    var off = {};
    document.querySelectorAll("#tq-filters input[data-filter]").forEach(function (box) {
      if (!box.checked) { off[box.getAttribute("data-filter") + ":" + box.value] = true; }
    });
    var shown = 0, total = 0;
    document.querySelectorAll("ol.tq-findings > li").forEach(function (li) {
      var hidden = off["sev:" + li.getAttribute("data-sev")] || off["cat:" + li.getAttribute("data-cat")] ||
        (li.hasAttribute("data-known") && off["known:yes"]);
      li.classList.toggle("off", !!hidden);
      total += 1;
      if (!hidden) { shown += 1; }
    });
    document.querySelectorAll("mark.hl").forEach(function (mark) {
      var worst = "", cat = "", known = true;
      visibleItems(mark).forEach(function (li) {
        var sev = li.getAttribute("data-sev");
        if (!worst || RANK[sev] > RANK[worst]) { worst = sev; cat = li.getAttribute("data-cat"); }
        if (!li.hasAttribute("data-known")) { known = false; }
      });
      mark.classList.remove("sev-minor", "sev-major", "sev-critical", "cat-non-content", "known");
      mark.classList.toggle("off", !worst);
      if (worst) {
        mark.classList.add("sev-" + worst);
        if (cat === "non-content") { mark.classList.add("cat-non-content"); }
        if (known) { mark.classList.add("known"); }
      }
    });
    var count = document.getElementById("tq-count");
    if (count) { count.textContent = shown + " of " + total + " findings shown"; }
    if (pinned && pinned.classList.contains("off")) { pinned = null; hide(); }
  }
  if (filters) {
    filters.hidden = false;
    filters.addEventListener("change", apply);
    apply();
  }
  document.documentElement.setAttribute("data-tq-ready", "1");
})();
