// The library's batch form holds several actions, each with its own button. Enter in a text
// field submits a form with its FIRST button (Audit), which is not what someone typing a tag
// or a rights holder means: Enter submits the button of the group the field is in instead.
"use strict";

document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || event.isComposing || !(field instanceof HTMLInputElement)) return;
  if (["checkbox", "radio", "submit", "button", "reset"].includes(field.type)) return;
  const group = field.closest("[data-enter-action]");
  const button = group?.querySelector(
    `button[name="action"][value="${group.dataset.enterAction}"]`,
  );
  if (!button) return;
  event.preventDefault();
  button.click();
});
