// The class-list board: drag a card to another class (SortableJS). A drop sets the
// card's "move to" menu and presses its Move button, so a drag posts exactly what the
// keyboard path posts, through htmx, and the answer redraws the board.
"use strict";

function sortableBoard() {
  if (typeof Sortable === "undefined") {
    return;
  }
  for (const list of document.querySelectorAll("#board-form ul.cards")) {
    if (list.dataset.sortable) {
      continue;
    }
    list.dataset.sortable = "1";
    Sortable.create(list, {
      group: "board",
      forceFallback: true, // mouse and touch events: the same on every browser
      filter: "select, button",
      preventOnFilter: false,
      // Sortable marks the chosen card with an inline will-change style, and copies the
      // card (style attribute included) when the drag starts: under a CSP without
      // 'unsafe-inline' the copy's style is refused with a console error. The hint is
      // dropped before the copy is made.
      onChoose: (event) => event.item.removeAttribute("style"),
      onEnd: (event) => {
        const to = event.to.dataset.label;
        if (event.from === event.to || !to) {
          return;
        }
        const card = event.item;
        const menu = card.querySelector("select");
        const move = card.querySelector("button[value^='move:']");
        if (menu && move) {
          menu.value = to;
          move.click();
        }
      },
    });
  }
}

// What Sortable styled inline must not reach htmx's swap, which copies the old
// elements' attributes onto the new ones for a moment (refused by the CSP).
document.addEventListener("htmx:beforeSwap", () => {
  for (const styled of document.querySelectorAll("#board [style]")) {
    styled.removeAttribute("style");
  }
});
document.addEventListener("DOMContentLoaded", sortableBoard);
document.addEventListener("htmx:afterSettle", sortableBoard);
