/* The asset page: the focal point picker, focus on the first error or on the confirmation of
 * a Save, and a warning before leaving unsaved changes. Its captions' live counters and
 * "copy from" are caption_fields.js's, which the post editor shares. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* --- where the user is: the first error of a refused form ---------------------------------- */

  // A refused Save answers its form's page without a fragment: focus goes to the first invalid
  // field, in view. A confirmation needs nothing here: the redirect's fragment lands on its
  // section (focusable, tabindex -1), which holds the confirmation.
  function focusTheFirstError() {
    var invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) {
      invalid.scrollIntoView({ block: "center" });
      invalid.focus({ preventScroll: true });
    }
  }

  function markCurrentSection() {
    var links = document.querySelectorAll("#asset-toc a");
    function mark() {
      Array.prototype.forEach.call(links, function (link) {
        if (link.getAttribute("href") === window.location.hash) {
          link.setAttribute("aria-current", "location");
        } else {
          link.removeAttribute("aria-current");
        }
      });
    }
    window.addEventListener("hashchange", mark);
    mark();
  }

  /* --- unsaved changes: ask before leaving them --------------------------------------------- */

  function warnBeforeLeavingUnsaved() {
    var dirty = false;
    document.querySelectorAll('main form[method="post"]').forEach(function (form) {
      function changed(event) {
        // Choosing where to copy from is not a change; copying is (its input event).
        if (!event.target.classList.contains("copy-from-source")) {
          dirty = true;
        }
      }
      form.addEventListener("input", changed);
      form.addEventListener("change", changed);
      form.addEventListener("submit", function () {
        dirty = false; // saving is not leaving
      });
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  /* --- focal point ------------------------------------------------------------------------- */

  function setUpFocalPoint() {
    var frame = document.getElementById("preview-frame");
    var image = document.getElementById("preview");
    if (!frame || !image) {
      return;
    }
    var url = frame.getAttribute("data-focal-url");
    var status = document.getElementById("focal-status");
    var now = document.getElementById("focal-now");
    var form = document.getElementById("focal-form");
    var inputX = document.getElementById("focal-x");
    var inputY = document.getElementById("focal-y");

    function show(x, y) {
      ["focal-ring", "focal-dot"].forEach(function (id) {
        var circle = document.getElementById(id);
        if (circle) {
          circle.setAttribute("cx", (x * 100).toFixed(2) + "%");
          circle.setAttribute("cy", (y * 100).toFixed(2) + "%");
        }
      });
      if (now) {
        now.textContent = x.toFixed(2) + ", " + y.toFixed(2);
      }
      if (inputX && inputY) {
        inputX.value = x.toFixed(2);
        inputY.value = y.toFixed(2);
      }
    }

    function say(message, isError) {
      if (status) {
        status.textContent = message;
        status.classList.toggle("error", !!isError);
      }
    }

    function save(x, y) {
      say("Saving the focal point…", false);
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRF-Token": csrfToken(),
        },
        body: JSON.stringify({ x: x, y: y }),
      })
        .then(function (response) {
          return response.json().then(
            function (body) {
              return { ok: response.ok, body: body };
            },
            function () {
              return { ok: false, body: { detail: "The server answered " + response.status + "." } };
            }
          );
        })
        .then(function (result) {
          if (!result.ok) {
            say("Not saved: " + (result.body.detail || "the server refused it."), true);
            return;
          }
          show(result.body.x, result.body.y);
          say("Focal point saved at " + result.body.x.toFixed(2) + ", " + result.body.y.toFixed(2) + ".", false);
        })
        .catch(function () {
          say("Not saved: the server could not be reached.", true);
        });
    }

    if (!url) {
      return;
    }
    frame.classList.add("pickable");
    image.addEventListener("click", function (event) {
      if (frame.classList.contains("drawing")) {
        return; // the People panel is drawing a box (people_region.js), not a focal point
      }
      var box = image.getBoundingClientRect();
      if (!box.width || !box.height) {
        return;
      }
      var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      var y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      x = Math.round(x * 10000) / 10000;
      y = Math.round(y * 10000) / 10000;
      show(x, y);
      save(x, y);
    });
    if (form && inputX && inputY) {
      form.addEventListener("submit", function (event) {
        var x = parseFloat(inputX.value);
        var y = parseFloat(inputY.value);
        if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
          return; // let the server explain what is wrong
        }
        event.preventDefault();
        show(x, y);
        save(x, y);
      });
    }
  }

  setUpFocalPoint();
  markCurrentSection();
  warnBeforeLeavingUnsaved();
  focusTheFirstError();
})();
