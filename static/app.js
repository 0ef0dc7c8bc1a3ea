// The page's only script besides htmx. It lives in a file because the
// Content-Security-Policy allows no inline script.
"use strict";

document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// htmx swaps nothing when the server cannot be reached; say so instead of
// leaving the page looking up to date.
document.addEventListener("htmx:sendError", () => {
  const flash = document.getElementById("flash");
  if (flash) {
    flash.replaceChildren();
    const message = document.createElement("p");
    message.className = "alert";
    message.textContent =
      "The server could not be reached, so the table was not updated. Your inputs are still here; try again in a moment.";
    flash.append(message);
  }
});

// The editor is redrawn whole and morphed into the page (idiomorph), so the input
// being typed in stays the same element and keeps focus and caret. An answer carries
// the values as they were sent: a field changed since (typed in while the answer was
// on its way) keeps its own value, which the next update sends.
const changedSinceSent = new Set();
document.addEventListener("input", (event) => {
  if (event.target.closest("#editor")) {
    changedSinceSent.add(event.target);
  }
});
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.detail.target && event.detail.target.id === "editor") {
    changedSinceSent.clear();
  }
});
document.addEventListener("DOMContentLoaded", () => {
  if (window.Idiomorph) {
    Idiomorph.defaults.callbacks.beforeAttributeUpdated = (name, element) =>
      !((name === "value" || name === "checked") && changedSinceSent.has(element));
  }
});

// A button of the editor (Fix, a suggestion, Add a grade...) redraws the whole form;
// when its button is gone from the new one, a keyboard user would be left on the
// page's body. Put it back on the same button if it is
// still there, else on the status line above the table, where Tab carries on.
let pressed = null;
document.addEventListener(
  "submit",
  (event) => {
    if (event.target.id === "editor") {
      pressed = event.submitter ? event.submitter.value || "" : "";
    }
  },
  true,
);
document.addEventListener("htmx:afterSettle", () => {
  const lost = !document.activeElement || document.activeElement === document.body;
  if (pressed === null || !lost) {
    pressed = null;
    return;
  }
  const editor = document.getElementById("editor");
  const same = pressed && editor ? editor.querySelector(`button[value="${CSS.escape(pressed)}"]`) : null;
  const status = document.querySelector("#results .status");
  pressed = null;
  if (same) {
    same.focus();
  } else if (status) {
    status.focus();
  }
});

// On a narrow screen wide tables scroll sideways in a box of their own (app.css);
// a keyboard user scrolls such a box only once it can take focus. Make each box
// that overflows focusable, and only those, so other tables add no Tab stop.
const SCROLLING_BOXES =
  "table.list, table.summary, table.staffing-table, table.history, .readonly table, table.compare, .table-wrap";
function focusableWhenScrolling() {
  for (const box of document.querySelectorAll(SCROLLING_BOXES)) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
    } else if (box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
    }
  }
}
document.addEventListener("DOMContentLoaded", focusableWhenScrolling);
document.addEventListener("htmx:afterSettle", focusableWhenScrolling);
window.addEventListener("resize", focusableWhenScrolling);
