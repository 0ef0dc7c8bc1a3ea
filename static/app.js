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
