// Progressive enhancement only: the page works without this file (a plain form POST).
// 1. The answer is refreshed as fields change: the form is sent to the same /assess,
//    and only the parts marked data-live are swapped in, so focus stays where it is.
// 2. "Copy as note" copies the plain-text note. Nothing is sent anywhere else.
"use strict";
(function () {
  var form = document.querySelector("form.profile");
  var timer = null;
  var sent = 0;
  // What the server last sent for each live part: a part that comes back the same is left
  // alone (a blur after "Copy as note" must not wipe its "Copied" status).
  var last = {};
  document.querySelectorAll("[data-live][id]").forEach(function (part) { last[part.id] = part.innerHTML; });

  function swap(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live][id]").forEach(function (old) {
      var fresh = next.getElementById(old.id);
      if (fresh && fresh.innerHTML !== last[old.id]) {
        last[old.id] = fresh.innerHTML;
        old.innerHTML = fresh.innerHTML;
      }
    });
    form.querySelectorAll("input, select").forEach(function (control) {
      if (!control.id) { return; }
      var fresh = next.getElementById(control.id);
      ["aria-invalid", "aria-describedby"].forEach(function (name) {
        if (fresh && fresh.hasAttribute(name)) { control.setAttribute(name, fresh.getAttribute(name)); }
        else { control.removeAttribute(name); }
      });
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.remove(); }
    document.title = next.title;
    setUpCopy();
  }

  function refresh() {
    var mine = ++sent;
    fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString(),
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) { return response.text(); })
      .then(function (html) { if (mine === sent) { swap(html); } })
      .catch(function () { /* the Assess button still works */ });
  }

  function setUpCopy() {
    var button = document.getElementById("copy-note");
    var note = document.getElementById("note");
    var status = document.getElementById("copy-status");
    if (!button || !note || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(note.textContent).then(function () {
        status.textContent = "Copied: paste it into the record.";
      }, function () {
        status.textContent = "Could not copy: select the note and copy it.";
      });
    });
  }

  if (form) {
    form.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
  }
  setUpCopy();
})();
