/* Caption fields, on any page that has them (the asset page, the post editor): each
 * textarea.caption-text counts as its platform counts (data-counting, data-limit, through
 * counters.js) into its counter (data-counter), and "copy from" copies another platform's
 * text into it. An empty box marked data-composed stands for the caption composed from the
 * template, its placeholder: that is what is counted, and copied. On load each counter shows
 * the server's count, which stays authoritative. */
(function () {
  "use strict";

  function isComposed(textarea) {
    return !textarea.value && textarea.hasAttribute("data-composed");
  }

  // The caption the box stands for: its text, or while empty the composed one.
  function shownText(textarea) {
    return isComposed(textarea) ? textarea.placeholder : textarea.value;
  }

  function update(textarea) {
    var counter = document.getElementById(textarea.getAttribute("data-counter"));
    if (!counter) {
      return;
    }
    var limit = parseInt(textarea.getAttribute("data-limit"), 10);
    var composed = isComposed(textarea);
    var length = window.VitrineCounters.countLength(textarea.getAttribute("data-counting"), shownText(textarea));
    var over = length - limit;
    counter.textContent =
      length + " / " + limit + (over > 0 ? " · over by " + over : "") + (composed ? " · composed" : "");
    counter.classList.toggle("over", over > 0);
    counter.setAttribute("data-length", String(length));
    // The server's notes were about the saved text, not this one.
    var card = textarea.closest(".caption-card");
    if (card) {
      card.querySelectorAll(".server-note").forEach(function (note) {
        note.hidden = true;
      });
    }
  }

  function copyFrom(button) {
    var select = document.getElementById(button.getAttribute("data-select"));
    var target = select && document.getElementById(select.getAttribute("data-target"));
    var source = select && select.value && document.getElementById(select.value);
    if (!target || !source) {
      if (select) {
        select.focus(); // nothing chosen to copy from yet
      }
      return;
    }
    target.value = shownText(source);
    // An input event: the counter counts it, and the page knows there is something to save.
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.focus();
  }

  var areas = document.querySelectorAll("textarea.caption-text");
  if (!areas.length || !window.VitrineCounters) {
    return;
  }
  Array.prototype.forEach.call(areas, function (textarea) {
    textarea.addEventListener("input", function () {
      update(textarea);
    });
  });
  document.querySelectorAll(".copy-from-button").forEach(function (button) {
    button.addEventListener("click", function () {
      copyFrom(button);
    });
  });
})();
