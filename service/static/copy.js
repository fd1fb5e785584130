/* Copy buttons: <button data-copy="ID" data-status="STATUS"> puts the value of the field ID
 * on the clipboard and says "Copied" in STATUS, a live region beside it. The field is a
 * readonly input the user can select and copy without script; these buttons are js-only.
 * Where the clipboard API is refused (an insecure origin, a permission), the field's text
 * is selected instead and the status says how to copy it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var cleared = {};

  function say(status, text) {
    if (!status) {
      return;
    }
    // Emptied first, so that a second "Copied" is announced too.
    status.textContent = "";
    window.clearTimeout(cleared[status.id]);
    window.setTimeout(function () {
      status.textContent = text;
      cleared[status.id] = window.setTimeout(function () {
        status.textContent = "";
      }, 8000);
    }, 50);
  }

  function selectAll(field) {
    field.focus();
    field.select();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!field) {
      return;
    }
    function byHand() {
      selectAll(field);
      say(status, "Selected: press Ctrl+C (⌘C on a Mac) to copy");
    }
    if (!navigator.clipboard || !window.isSecureContext) {
      byHand();
      return;
    }
    navigator.clipboard.writeText(field.value).then(function () {
      say(status, "Copied");
    }, byHand);
  });

  // A readonly address is selected whole when the user comes to it, ready to copy by hand.
  Array.prototype.forEach.call(document.querySelectorAll("input.copy-source"), function (field) {
    field.addEventListener("focus", function () {
      field.select();
    });
  });
})();
