// tqcheck review page: check a text through POST /api/review, accept or reject each suggestion,
// download the corrected text. No inline script (strict CSP), no network beyond this server.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = { payload: null, decisions: new Map(), name: "text.txt" };

  function setStatus(message, isError) {
    const el = $("status");
    el.textContent = message;
    el.className = isError ? "error" : "";
  }

  function authHeaders() {
    const token = $("token").value.trim();
    if (token) sessionStorage.setItem("tqcheck-token", token);
    return token ? { Authorization: "Bearer " + token } : {};
  }

  async function loadLanguages() {
    try {
      const res = await fetch("/v2/languages");
      const langs = await res.json();
      for (const lang of langs) {
        if (lang.code !== lang.longCode) continue;
        for (const id of ["language", "source-language"]) {
          const opt = document.createElement("option");
          opt.value = lang.code;
          opt.textContent = lang.name + " (" + lang.code + ")";
          $(id).appendChild(opt);
        }
      }
    } catch (err) {
      setStatus("Could not load the language list: " + err, true);
    }
  }

  function onFile(event) {
    const file = event.target.files[0];
    if (!file) return;
    state.name = file.name;
    if (/\.(md|markdown)$/i.test(file.name)) $("format").value = "markdown";
    const reader = new FileReader();
    reader.onload = () => { $("text").value = reader.result; setStatus("Loaded " + file.name); };
    reader.onerror = () => setStatus("Could not read " + file.name, true);
    reader.readAsText(file, "utf-8");
  }

  async function check(event) {
    event.preventDefault();
    const text = $("text").value;
    if (!text.trim()) { setStatus("Paste or open a text first.", true); return; }
    setStatus("Checking…");
    $("check").disabled = true;
    try {
      const res = await fetch("/api/review", {
        method: "POST",
        headers: Object.assign({ "Content-Type": "application/json" }, authHeaders()),
        body: JSON.stringify({
          text: text,
          language: $("language").value,
          source_language: $("source-language").value,
          format: $("format").value,
          name: state.name,
        }),
      });
      const body = await res.json().catch(() => ({ error: res.statusText }));
      if (!res.ok) { setStatus("Error " + res.status + ": " + (body.error || res.statusText), true); return; }
      show(body);
      setStatus("Checked.");
    } catch (err) {
      setStatus("Request failed: " + err, true);
    } finally {
      $("check").disabled = false;
    }
  }

  // The document comes drawn by the HTML report's renderer: its findings list (one <li> per
  // finding, id DOC-f<i>) moves beside the text and gets accept / reject controls.
  function show(payload) {
    state.payload = payload;
    state.decisions = new Map();
    $("result-pane").hidden = false;
    const doc = $("document");
    doc.innerHTML = payload.html;  // escaped by the server
    const pane = $("findings");
    pane.replaceChildren();
    const list = doc.querySelector("ol.tq-findings");
    if (list) pane.appendChild(list);
    else pane.textContent = "No findings.";
    for (const f of payload.findings) {
      const li = document.getElementById(payload.doc_id + "-f" + f.index);
      if (li) addControls(li, f);
    }
    for (const mark of doc.querySelectorAll("mark.hl")) {
      mark.addEventListener("click", () => focusFinding(Number(markIds(mark)[0])));
    }
    refresh();
  }

  function markIds(mark) {
    return (mark.dataset.f || "").split(" ").filter(Boolean);
  }

  function item(i) {
    return $("findings").querySelector('li[data-i="' + i + '"]');
  }

  function addControls(li, f) {
    li.dataset.i = String(f.index);
    const actions = document.createElement("div");
    actions.className = "actions";
    f.suggestions.forEach((s, k) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "accept";
      b.dataset.k = String(k);
      b.textContent = "Accept " + (s.replacement === "" ? "(delete)" : JSON.stringify(s.replacement)) +
        (s.safe ? " · safe" : "");
      b.addEventListener("click", () => decide(f.index, { accept: k }));
      actions.appendChild(b);
    });
    const reject = document.createElement("button");
    reject.type = "button";
    reject.className = "reject";
    reject.textContent = f.suggestions.length ? "Reject" : "Dismiss";
    reject.addEventListener("click", () => decide(f.index, { reject: true }));
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "undo";
    undo.textContent = "Undo";
    undo.addEventListener("click", () => decide(f.index, null));
    const stateEl = document.createElement("span");
    stateEl.className = "state";
    actions.append(reject, undo, stateEl);
    li.appendChild(actions);
    li.addEventListener("mouseenter", () => highlight(f.index, true));
    li.addEventListener("mouseleave", () => highlight(f.index, false));
  }

  function overlaps(a, b) {
    return a.start16 < b.end16 && b.start16 < a.end16 || (a.start16 === b.start16 && a.end16 === b.end16);
  }

  // An accepted finding blocks every finding whose span overlaps it (their edits would clash).
  function conflictsWith(i) {
    const f = state.payload.findings[i];
    for (const [j, d] of state.decisions) {
      if (j !== i && d && d.accept !== undefined && overlaps(f, state.payload.findings[j])) return j;
    }
    return -1;
  }

  function decide(i, decision) {
    if (decision && decision.accept !== undefined && conflictsWith(i) >= 0) return;
    if (decision) state.decisions.set(i, decision); else state.decisions.delete(i);
    refresh();
  }

  function refresh() {
    const p = state.payload;
    let accepted = 0, rejected = 0;
    for (const f of p.findings) {
      const d = state.decisions.get(f.index);
      const li = item(f.index);
      if (!li) continue;
      const blocker = conflictsWith(f.index);
      li.classList.toggle("accepted", !!(d && d.accept !== undefined));
      li.classList.toggle("rejected", !!(d && d.reject));
      li.classList.toggle("conflict", !d && blocker >= 0);
      let label = "";
      if (d && d.accept !== undefined) { label = "accepted"; accepted++; }
      else if (d && d.reject) { label = "rejected"; rejected++; }
      else if (blocker >= 0) label = "overlaps accepted #" + (blocker + 1);
      li.querySelector(".state").textContent = label;
      for (const b of li.querySelectorAll("button.accept")) b.disabled = !!d || blocker >= 0;
      li.querySelector("button.reject").disabled = !!d;
      li.querySelector("button.undo").hidden = !d;
      const marks = marksFor(f.index);
      marks.forEach((m, k) => {
        m.classList.toggle("accepted", !!(d && d.accept !== undefined));
        m.classList.toggle("rejected", !!(d && d.reject));
        m.classList.toggle("last", k === marks.length - 1);
        if (d && d.accept !== undefined) m.dataset.replacement = f.suggestions[d.accept].replacement;
        else delete m.dataset.replacement;
      });
    }
    const safe = p.findings.filter((f) => f.suggestions.some((s) => s.safe)).length;
    $("summary").textContent = p.findings.length + " findings · score " + p.score + " · " +
      accepted + " accepted · " + rejected + " rejected";
    $("accept-safe").disabled = safe === 0;
  }

  function marksFor(i) {
    return Array.from($("document").querySelectorAll("mark.hl"))
      .filter((m) => markIds(m).includes(String(i)));
  }

  function highlight(i, on) {
    for (const m of marksFor(i)) m.classList.toggle("focus", on);
  }

  function focusFinding(i) {
    const li = item(i);
    if (!li) return;
    li.scrollIntoView({ block: "nearest" });
    li.classList.add("focus");
    setTimeout(() => li.classList.remove("focus"), 1200);
  }

  function acceptSafe() {
    for (const f of state.payload.findings) {
      const k = f.suggestions.findIndex((s) => s.safe);
      if (k >= 0 && !state.decisions.has(f.index) && conflictsWith(f.index) < 0) {
        state.decisions.set(f.index, { accept: k });
      }
    }
    refresh();
  }

  // The original text with every accepted replacement applied, right to left so that earlier
  // offsets stay valid. Offsets are UTF-16 units, as JavaScript strings count them.
  function correctedText() {
    const p = state.payload;
    const edits = [];
    for (const [i, d] of state.decisions) {
      if (d && d.accept !== undefined) {
        const f = p.findings[i];
        edits.push([f.start16, f.end16, f.suggestions[d.accept].replacement]);
      }
    }
    edits.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    let text = p.text;
    for (const [a, b, r] of edits) text = text.slice(0, a) + r + text.slice(b);
    return text;
  }

  function download() {
    const blob = new Blob([correctedText()], { type: "text/plain;charset=utf-8" });
    const a = document.createElement("a");
    const base = state.name.replace(/\.[^.]*$/, "") || "text";
    const ext = (state.name.match(/\.[^.]*$/) || [".txt"])[0];
    a.href = URL.createObjectURL(blob);
    a.download = base + ".corrected" + ext;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const saved = sessionStorage.getItem("tqcheck-token");
    if (saved) $("token").value = saved;
    $("check-form").addEventListener("submit", check);
    $("file").addEventListener("change", onFile);
    $("accept-safe").addEventListener("click", acceptSafe);
    $("reset").addEventListener("click", () => { state.decisions = new Map(); refresh(); });
    $("download").addEventListener("click", download);
    window.tqcheckReview = { correctedText: correctedText, payload: () => state.payload };
    loadLanguages();
  });
})();
