/* The caption templates page: the preview follows the template as it is typed. It posts the
 * same form as the Preview button (action=preview), asking for JSON; without this script the
 * button does the same with a page load. Nothing is saved until "Save template". */
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  var template = document.getElementById("template");
  var asset = document.getElementById("asset");
  var text = document.getElementById("preview-text");
  var status = document.getElementById("preview-status");
  var problems = document.getElementById("preview-problems");
  if (!form || !template || !asset || !text || !status || !problems || !window.fetch) {
    return;
  }
  var WAIT_MS = 400; // after the last keystroke: one request per pause, not per key
  var timer = null;
  var latest = 0;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function show(body, ok) {
    problems.textContent = "";
    if (!ok) {
      text.textContent = "";
      var errors = body.errors || {};
      status.textContent = "No preview: " + Object.keys(errors).map(function (name) {
        return errors[name];
      }).join(" ");
      return;
    }
    text.textContent = body.text;
    status.textContent = body.length + " / " + body.limit + " characters" + (body.fits ? "." : " · too long.");
    (body.problems || []).forEach(function (problem) {
      var item = document.createElement("li");
      item.textContent = problem;
      problems.appendChild(item);
    });
    if (body.shortened && body.shortened.length) {
      var note = document.createElement("li");
      note.textContent = "To fit, the " + body.shortened.join(" and ") + (body.shortened.length === 1 ? " was" : " were") + " shortened.";
      problems.appendChild(note);
    }
  }

  function preview() {
    var asked = ++latest;
    var data = new URLSearchParams();
    data.append("csrf_token", csrfToken());
    data.append("action", "preview");
    data.append("template", template.value);
    data.append("asset", asset.value);
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (asked === latest) {
            show(body, response.ok);
          }
        });
      })
      .catch(function () {
        if (asked === latest) {
          status.textContent = "The preview could not be fetched; use the Preview button.";
        }
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(preview, WAIT_MS);
  }

  template.addEventListener("input", soon);
  asset.addEventListener("change", preview);
})();
