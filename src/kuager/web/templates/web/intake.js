(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var lookupUrl = form.dataset.lookupUrl;

  function fromTemplate(id, replacements) {
    var html = document.getElementById(id).innerHTML;
    Object.keys(replacements).forEach(function (k) { html = html.split(k).join(String(replacements[k])); });
    var box = document.createElement("div");
    box.innerHTML = html.trim();
    return box.firstElementChild;
  }

  function wireVictim(block) {
    var button = block.querySelector(".add-event");
    var counter = block.querySelector(".event-count");
    var v = block.dataset.index;
    button.addEventListener("click", function () {
      var n = parseInt(counter.value, 10) + 1;
      block.querySelector(".events").appendChild(fromTemplate("event-template", {"__V__": v, "__E__": n}));
      counter.value = n;
    });
    var names = block.querySelector("textarea.names");
    var out = block.querySelector(".duplicates");
    var timer = null;
    names.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { lookup(names.value, out); }, 300);
    });
  }

  function lookup(text, out) {
    var lines = text.split("\n").map(function (s) { return s.trim(); }).filter(function (s) { return s.length >= 3; });
    lines = lines.slice(0, 5);
    if (!lines.length) { out.textContent = ""; return; }
    Promise.all(lines.map(function (q) {
      return fetch(lookupUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {matches: []}; })
        .catch(function () { return {matches: []}; });
    })).then(function (answers) {
      var seen = {}, matches = [];
      answers.forEach(function (a) {
        a.matches.forEach(function (m) { if (!seen[m.public_id]) { seen[m.public_id] = 1; matches.push(m); } });
      });
      out.textContent = "";
      if (!matches.length) { return; }
      var title = document.createElement("div");
      title.textContent = form.dataset.knownLabel;
      out.appendChild(title);
      var list = document.createElement("ul");
      list.className = "duplicate-list";
      matches.forEach(function (m) {
        var li = document.createElement("li");
        var parts = [m.public_id + " · " + m.name];
        if (m.other_names.length) { parts.push("(" + m.other_names.join(", ") + ")"); }
        if (m.birth) { parts.push(form.dataset.bornLabel + " " + m.birth); }
        parts.push("· " + (m.testimonies_text || (m.testimonies + " " + form.dataset.testimoniesLabel)));
        li.textContent = parts.join(" ");
        list.appendChild(li);
      });
      out.appendChild(list);
    });
  }

  document.querySelectorAll("#victims fieldset.victim").forEach(wireVictim);
  document.getElementById("add-victim").addEventListener("click", function () {
    var counter = document.getElementById("victim-count");
    var n = parseInt(counter.value, 10) + 1;
    var block = fromTemplate("victim-template", {"__V__": n, "__E__": 1});
    document.getElementById("victims").appendChild(block);
    counter.value = n;
    wireVictim(block);
  });
  document.getElementById("add-appeal").addEventListener("click", function () {
    var counter = document.getElementById("appeal-count");
    var n = parseInt(counter.value, 10) + 1;
    document.getElementById("appeals").appendChild(fromTemplate("appeal-template", {"__A__": n}));
    counter.value = n;
  });
  // the facility field holds a number once a facility is picked: show the picked facility's label beside it
  function showFacility(input) {
    var note = input.nextElementSibling;
    if (!note || !note.classList.contains("facility-picked")) {
      note = document.createElement("span");
      note.className = "facility-picked muted";
      input.insertAdjacentElement("afterend", note);
    }
    var label = "";
    document.querySelectorAll("#facility-options option").forEach(function (o) {
      if (input.value.trim() && o.value === input.value.trim()) { label = o.textContent; }
    });
    note.textContent = label;
  }
  form.addEventListener("input", function (e) {
    if (e.target.getAttribute && e.target.getAttribute("list") === "facility-options") { showFacility(e.target); }
  });
  form.querySelectorAll("input[list=facility-options]").forEach(function (i) { if (i.value) { showFacility(i); } });
  document.querySelectorAll("textarea.names").forEach(function (t) {
    if (t.value.trim()) { t.dispatchEvent(new Event("input")); }
  });
})();
