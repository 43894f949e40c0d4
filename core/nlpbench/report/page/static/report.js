(function () {
  "use strict";
  var PAGE = 50;
  var data = JSON.parse(document.getElementById("browser-data").textContent);
  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function fmt(v) {
    if (v === null || v === undefined) { return "—"; }
    return Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(2);
  }
  function fill(select, values, first) {
    var keep = select.value;
    while (select.firstChild) { select.removeChild(select.firstChild); }
    if (first) { var all = el("option", first[1]); all.value = first[0]; select.appendChild(all); }
    values.forEach(function (v) { var o = el("option", v); o.value = v; select.appendChild(o); });
    if (keep && (values.indexOf(keep) >= 0 || (first && keep === first[0]))) { select.value = keep; }
  }
  var byTask = {};
  data.tasks.forEach(function (t) { byTask[t.task] = t; });
  function cellsOf(task) { return byTask[task] ? byTask[task].cells : []; }
  function cellOf(task, model) {
    var found = null;
    cellsOf(task).forEach(function (c) { if (c.model === model) { found = c; } });
    return found;
  }
  function textCell(row, value, withPrompt) {
    var td = el("td");
    td.appendChild(el("div", value === null ? "—" : value, "text"));
    if (withPrompt !== undefined && withPrompt !== null) {
      var details = el("details");
      details.appendChild(el("summary", "prompt"));
      details.appendChild(el("pre", withPrompt));
      td.appendChild(details);
    }
    row.appendChild(td);
  }
  function refsCell(row, refs) {
    var td = el("td");
    refs.forEach(function (r) { td.appendChild(el("div", r === null ? "—" : r, "text")); });
    row.appendChild(td);
  }
  function scoresCell(row, scores) {
    var td = el("td", null, "num");
    Object.keys(scores).forEach(function (k) { td.appendChild(el("div", k + ": " + fmt(scores[k]))); });
    row.appendChild(td);
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  var taskSel = $("browser-task"), modelSel = $("browser-model"), findBox = $("browser-find");
  var body = $("browser-rows"), more = $("browser-more"), note = $("browser-note");
  var aSel = $("disagree-a"), bSel = $("disagree-b"), dBody = $("disagree-rows"), dNote = $("disagree-note");
  var rows = [], shown = 0;

  function matches(ex, needle) {
    if (!needle) { return true; }
    return [ex.id, ex.input, ex.prediction].concat(ex.references).some(function (s) {
      return s !== null && String(s).toLowerCase().indexOf(needle) >= 0;
    });
  }
  function truncationNote(cells) {
    var cut = cells.filter(function (c) { return c.total > c.examples.length; });
    if (!cut.length) { return ""; }
    return " Truncated: this report embeds at most " + data.max_examples + " examples per model and task (" +
      cut.map(function (c) { return c.model + ": " + c.examples.length + " of " + c.total; }).join(", ") +
      "); samples.jsonl has them all.";
  }
  function renderBrowser() {
    var task = taskSel.value, model = modelSel.value, needle = findBox.value.trim().toLowerCase();
    var cells = cellsOf(task).filter(function (c) { return model === "*" || c.model === model; });
    rows = [];
    cells.forEach(function (c) {
      c.examples.forEach(function (ex) { if (matches(ex, needle)) { rows.push([c.model, ex]); } });
    });
    var total = 0;
    cells.forEach(function (c) { total += c.examples.length; });
    note.textContent = rows.length + " of " + total + " embedded examples match." + truncationNote(cells);
    clear(body);
    shown = 0;
    showMore();
  }
  function showMore() {
    var end = Math.min(rows.length, shown + PAGE);
    for (; shown < end; shown++) {
      var model = rows[shown][0], ex = rows[shown][1], tr = el("tr");
      tr.appendChild(el("td", ex.id));
      tr.appendChild(el("td", model));
      textCell(tr, ex.input, ex.prompt);
      textCell(tr, ex.prediction);
      refsCell(tr, ex.references);
      scoresCell(tr, ex.scores);
      body.appendChild(tr);
    }
    more.hidden = shown >= rows.length;
    more.textContent = "show " + Math.min(PAGE, rows.length - shown) + " more (" + (rows.length - shown) + " left)";
  }
  function renderDisagreements() {
    var task = taskSel.value, a = cellOf(task, aSel.value), b = cellOf(task, bSel.value);
    clear(dBody);
    if (!a || !b || a === b) { dNote.textContent = "Pick two different models of this task."; return; }
    var other = {};
    b.examples.forEach(function (ex) { other[ex.id] = ex; });
    var shared = 0, differ = [];
    a.examples.forEach(function (ex) {
      var twin = other[ex.id];
      if (!twin) { return; }
      shared += 1;
      if (ex.prediction !== twin.prediction) { differ.push([ex, twin]); }
    });
    dNote.textContent = differ.length + " of " + shared + " shared examples get different predictions" +
      (differ.length > 500 ? " (the first 500 are shown)." : ".");
    differ.slice(0, 500).forEach(function (pair) {
      var tr = el("tr");
      tr.appendChild(el("td", pair[0].id));
      textCell(tr, pair[0].input, pair[0].prompt);
      textCell(tr, pair[0].prediction);
      textCell(tr, pair[1].prediction);
      refsCell(tr, pair[0].references);
      scoresCell(tr, pair[0].scores);
      scoresCell(tr, pair[1].scores);
      dBody.appendChild(tr);
    });
  }
  function onTask() {
    var models = cellsOf(taskSel.value).map(function (c) { return c.model; });
    fill(modelSel, models, ["*", "all models"]);
    fill(aSel, models);
    fill(bSel, models);
    if (models.length > 1 && aSel.value === bSel.value) { bSel.value = models[1]; }
    $("disagree-a-head").textContent = "prediction: " + aSel.value;
    $("disagree-b-head").textContent = "prediction: " + bSel.value;
    renderBrowser();
    renderDisagreements();
  }
  function onPair() {
    $("disagree-a-head").textContent = "prediction: " + aSel.value;
    $("disagree-b-head").textContent = "prediction: " + bSel.value;
    renderDisagreements();
  }
  fill(taskSel, data.tasks.map(function (t) { return t.task; }));
  taskSel.addEventListener("change", onTask);
  modelSel.addEventListener("change", renderBrowser);
  findBox.addEventListener("input", renderBrowser);
  more.addEventListener("click", showMore);
  aSel.addEventListener("change", onPair);
  bSel.addEventListener("change", onPair);
  onTask();

  // a link into a collapsed part of the page opens it (and every part around it) first
  function reveal(id) {
    var target = id ? document.getElementById(id) : null;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    return target;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link) { reveal(link.getAttribute("href").slice(1)); }
  });
  var arrived = reveal(location.hash.slice(1));
  if (arrived) { arrived.scrollIntoView(); }
  document.body.setAttribute("data-ready", "1");
})();
