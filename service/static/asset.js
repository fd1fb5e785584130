/* The asset page: the live caption counter and platform switch, and the focal point picker. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* --- captions ---------------------------------------------------------------------------- */

  function setUpCaptions() {
    var select = document.getElementById("caption-platform");
    var textarea = document.getElementById("caption-text");
    var counter = document.getElementById("caption-counter");
    var form = document.getElementById("caption-form");
    if (!select || !textarea || !counter || !form || !window.VitrineCounters) {
      return;
    }
    var counting = document.getElementById("caption-counting");
    var mode = document.getElementById("caption-mode");
    var loaded = textarea.value; // the text as the server gave it: edits are kept on switching

    function chosen() {
      return select.options[select.selectedIndex];
    }

    function update() {
      var option = chosen();
      var limit = parseInt(option.getAttribute("data-limit"), 10);
      var length = window.VitrineCounters.countLength(option.getAttribute("data-counting"), textarea.value);
      var over = length - limit;
      counter.textContent = length + " / " + limit + (over > 0 ? " · over by " + over : "");
      counter.classList.toggle("over", over > 0);
      counter.setAttribute("data-length", String(length));
    }

    select.addEventListener("change", function () {
      var option = chosen();
      form.setAttribute("action", option.getAttribute("data-action"));
      if (textarea.value === loaded) {
        // Not edited: show the chosen platform's own caption.
        textarea.value = option.getAttribute("data-text");
        loaded = textarea.value;
        if (mode) {
          mode.textContent =
            option.getAttribute("data-mode") === "manual"
              ? "Hand-written for " + option.getAttribute("data-name") + "."
              : "Composed from the " + option.getAttribute("data-name") + " template.";
        }
      } else if (mode) {
        mode.textContent = "Your edited text, counted as " + option.getAttribute("data-name") + " counts; saving stores it for " + option.getAttribute("data-name") + ".";
      }
      if (counting) {
        counting.textContent = option.getAttribute("data-counting-text");
      }
      // The server's notes about the previous platform's caption no longer apply.
      ["caption-problems", "caption-credit"].forEach(function (id) {
        var element = document.getElementById(id);
        if (element) {
          element.hidden = true;
        }
      });
      update();
    });
    textarea.addEventListener("input", update);
    // On load the counter shows the server's count, which stays authoritative.
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

  setUpCaptions();
  setUpFocalPoint();
})();
