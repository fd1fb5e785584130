/* The asset page's People panel: draw a person's box on the picture with the mouse. "Draw a box
 * on the picture" turns drawing on (the focal point picker then ignores clicks); a drag on the
 * picture draws the box and fills the tag form's x, y, w, h (fractions of the upright image,
 * which the picture is). Without JS the form's four number fields do the same. */
(function () {
  "use strict";
  var frame = document.getElementById("preview-frame");
  var image = document.getElementById("preview");
  var drawn = document.getElementById("people-drawn");
  var toggle = document.getElementById("people-draw");
  var clear = document.getElementById("people-clear");
  var said = document.getElementById("people-box-now");
  var numbers = document.getElementById("people-region");
  var inputs = ["x", "y", "w", "h"].map(function (key) {
    return document.getElementById("people-box-" + key);
  });
  if (!frame || !image || !drawn || !toggle || inputs.indexOf(null) !== -1) {
    return;
  }
  if (numbers && !numbers.querySelector('[aria-invalid="true"]')) {
    numbers.removeAttribute("open"); // drawing replaces typing; the numbers stay reachable
  }

  function round(value) {
    return Math.round(Math.min(1, Math.max(0, value)) * 10000) / 10000;
  }

  function show(box) {
    drawn.setAttribute("x", (box.x * 100).toFixed(2) + "%");
    drawn.setAttribute("y", (box.y * 100).toFixed(2) + "%");
    drawn.setAttribute("width", (box.w * 100).toFixed(2) + "%");
    drawn.setAttribute("height", (box.h * 100).toFixed(2) + "%");
  }

  function fill(box) {
    show(box);
    ["x", "y", "w", "h"].forEach(function (key, index) {
      inputs[index].value = box ? String(box[key]) : "";
    });
    said.textContent = box.w && box.h
      ? "Box: from " + box.x.toFixed(2) + ", " + box.y.toFixed(2) + ", " + box.w.toFixed(2) + " wide, " + box.h.toFixed(2) + " high."
      : "";
  }

  function drawing(on) {
    frame.classList.toggle("drawing", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? "Stop drawing" : "Draw a box on the picture";
  }

  function at(event) {
    var box = image.getBoundingClientRect();
    return {
      x: round((event.clientX - box.left) / box.width),
      y: round((event.clientY - box.top) / box.height),
    };
  }

  toggle.addEventListener("click", function () {
    drawing(!frame.classList.contains("drawing"));
  });
  if (clear) {
    clear.addEventListener("click", function () {
      fill({ x: 0, y: 0, w: 0, h: 0 });
      inputs.forEach(function (input) {
        input.value = "";
      });
    });
  }

  var start = null;
  image.addEventListener("dragstart", function (event) {
    if (frame.classList.contains("drawing")) {
      event.preventDefault(); // a drag draws; it does not carry the picture away
    }
  });
  image.addEventListener("pointerdown", function (event) {
    if (!frame.classList.contains("drawing") || event.button !== 0) {
      return;
    }
    event.preventDefault();
    start = at(event);
    image.setPointerCapture(event.pointerId);
    show({ x: start.x, y: start.y, w: 0, h: 0 });
  });
  image.addEventListener("pointermove", function (event) {
    if (!start) {
      return;
    }
    var now = at(event);
    show({
      x: Math.min(start.x, now.x),
      y: Math.min(start.y, now.y),
      w: Math.abs(now.x - start.x),
      h: Math.abs(now.y - start.y),
    });
  });
  image.addEventListener("pointerup", function (event) {
    if (!start) {
      return;
    }
    var now = at(event);
    var box = {
      x: Math.min(start.x, now.x),
      y: Math.min(start.y, now.y),
      w: round(Math.abs(now.x - start.x)),
      h: round(Math.abs(now.y - start.y)),
    };
    start = null;
    if (box.w > 0.005 && box.h > 0.005) {
      fill(box);
      // After this pointer's click has passed, which the focal point picker must ignore.
      window.setTimeout(function () {
        drawing(false);
      }, 0);
    }
  });
})();
