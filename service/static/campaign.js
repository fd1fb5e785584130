/* The campaign pages, enhanced: every form works without this script.
 *
 * The board: a post card dragged onto another day's column is moved there by its own "Move to"
 * form (the select set to that day, then submitted); an image of the library search dragged
 * onto a card is added to that post by the "Add selected images" form's endpoint.
 * The post editor: the strip's Move left, Move right and Remove change the strip in place
 * (Save sends its order), the platform boxes show and hide their captions, Enter in a field
 * saves, and leaving unsaved changes asks first. Both: focus on the first refused field.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* --- a refused form: its first error has focus, in view ----------------------------------- */

  function focusTheFirstError() {
    var invalid = document.querySelector('main [aria-invalid="true"]');
    if (!invalid) {
      return;
    }
    var details = invalid.closest("details");
    if (details) {
      details.open = true;
    }
    invalid.scrollIntoView({ block: "center" });
    invalid.focus({ preventScroll: true });
  }

  /* --- the board: drag and drop ------------------------------------------------------------ */

  function submitHidden(action, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = action;
    form.hidden = true;
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function setUpBoard() {
    var board = document.getElementById("days");
    if (!board) {
      return;
    }
    var dragged = null;
    var addForm = document.getElementById("add-media-form");

    function start(event, what, element) {
      dragged = what;
      event.dataTransfer.setData("text/plain", what.kind + ":" + what.id);
      event.dataTransfer.effectAllowed = what.kind === "post" ? "move" : "copy";
      element.classList.add("dragging");
    }

    function end(element) {
      dragged = null;
      element.classList.remove("dragging");
      board.querySelectorAll(".drop-here").forEach(function (target) {
        target.classList.remove("drop-here");
      });
    }

    board.querySelectorAll(".post-card").forEach(function (card) {
      if (!card.querySelector(".move-form")) {
        return; // a viewer's board: nothing moves
      }
      card.draggable = true;
      card.addEventListener("dragstart", function (event) {
        start(event, { kind: "post", id: card.getAttribute("data-post-id"), card: card }, card);
      });
      card.addEventListener("dragend", function () {
        end(card);
      });
    });

    if (addForm) {
      document.querySelectorAll("#add-media-form .picker-item").forEach(function (item) {
        item.draggable = true;
        item.addEventListener("dragstart", function (event) {
          start(event, { kind: "asset", id: item.getAttribute("data-asset-id") }, item);
        });
        item.addEventListener("dragend", function () {
          end(item);
        });
      });
    }

    // Where a drop lands: a post moves to a column; an image is added to a card.
    function targetOf(event) {
      if (!dragged) {
        return null;
      }
      if (dragged.kind === "post") {
        return event.target.closest(".day-column");
      }
      var card = event.target.closest(".post-card");
      return card && card.getAttribute("data-post-id") ? card : null;
    }

    board.addEventListener("dragover", function (event) {
      var target = targetOf(event);
      if (!target) {
        return;
      }
      event.preventDefault(); // this is a place to drop
      event.dataTransfer.dropEffect = dragged.kind === "post" ? "move" : "copy";
      board.querySelectorAll(".drop-here").forEach(function (other) {
        if (other !== target) {
          other.classList.remove("drop-here");
        }
      });
      target.classList.add("drop-here");
    });

    board.addEventListener("drop", function (event) {
      var target = targetOf(event);
      if (!target) {
        return;
      }
      event.preventDefault();
      if (dragged.kind === "post") {
        var form = dragged.card.querySelector(".move-form");
        var select = form.querySelector('select[name="day"]');
        var date = target.getAttribute("data-date");
        if (select.value === date) {
          end(dragged.card); // dropped on its own day
          return;
        }
        select.value = date;
        form.requestSubmit();
        return;
      }
      submitHidden(addForm.action, {
        csrf_token: csrfToken(),
        post_id: target.getAttribute("data-post-id"),
        asset_ids: dragged.id,
        q: addForm.elements.q.value,
        next: addForm.elements.next.value,
      });
    });
  }

  /* --- the post editor --------------------------------------------------------------------- */

  var dirty = false;

  function setUpStrip(form) {
    var strip = document.getElementById("media-strip");
    var status = document.getElementById("media-status");
    var empty = document.getElementById("media-empty");
    if (!strip) {
      return;
    }

    function renumber() {
      var items = strip.querySelectorAll(".media-item");
      items.forEach(function (item, index) {
        item.querySelectorAll(".position").forEach(function (span) {
          span.textContent = String(index + 1);
        });
        item.querySelectorAll(".count").forEach(function (span) {
          span.textContent = String(items.length);
        });
        item.querySelector(".media-left").disabled = index === 0;
        item.querySelector(".media-right").disabled = index === items.length - 1;
      });
      if (empty) {
        empty.hidden = items.length > 0;
      }
      return items;
    }

    function say(message) {
      if (status) {
        status.textContent = message + " Save the post to keep it.";
      }
    }

    strip.addEventListener("click", function (event) {
      var button = event.target.closest('button[name="media_op"]');
      if (!button || !form) {
        return;
      }
      event.preventDefault(); // in place; Save sends the new order
      var item = button.closest(".media-item");
      var items = Array.prototype.slice.call(strip.querySelectorAll(".media-item"));
      var from = items.indexOf(item);
      if (button.classList.contains("media-remove")) {
        var next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        renumber();
        say("Image " + (from + 1) + " removed.");
        var focus = next ? next.querySelector(".media-remove") : document.getElementById("media");
        if (focus) {
          focus.focus();
        }
      } else {
        if (button.classList.contains("media-left") && item.previousElementSibling) {
          strip.insertBefore(item, item.previousElementSibling);
        } else if (button.classList.contains("media-right") && item.nextElementSibling) {
          strip.insertBefore(item.nextElementSibling, item);
        }
        var now = Array.prototype.indexOf.call(renumber(), item);
        say("Image " + (from + 1) + " moved to position " + (now + 1) + ".");
        // Keep the keyboard on the button pressed, or its twin once it cannot go further.
        var again = button.disabled
          ? item.querySelector(button.classList.contains("media-left") ? ".media-right" : ".media-left")
          : button;
        if (again && !again.disabled) {
          again.focus();
        }
      }
      dirty = true;
    });
  }

  function setUpPlatforms() {
    document.querySelectorAll(".platform-choice").forEach(function (box) {
      var card = document.getElementById(box.getAttribute("data-card"));
      if (!card) {
        return;
      }
      box.addEventListener("change", function () {
        card.hidden = !box.checked;
      });
    });
  }

  function setUpEditor() {
    var form = document.getElementById("post-form");
    if (!form) {
      return;
    }
    setUpStrip(form);
    setUpPlatforms();
    var save = document.getElementById("save-post");

    // Enter in a one-line field saves (the form's first button is the strip's Move left).
    form.addEventListener("keydown", function (event) {
      var field = event.target;
      if (event.key !== "Enter" || event.isComposing || !(field instanceof HTMLInputElement)) {
        return;
      }
      if (["checkbox", "radio", "submit", "button", "reset"].indexOf(field.type) >= 0) {
        return;
      }
      event.preventDefault();
      if (save) {
        save.click();
      }
    });

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
    document.querySelectorAll("form.delete-form").forEach(function (other) {
      other.addEventListener("submit", function () {
        dirty = false; // deleting the post discards its edits, as its ticked box confirmed
      });
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  setUpBoard();
  setUpEditor();
  focusTheFirstError();
})();
