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
      animation: 120,
      filter: "select, button",
      preventOnFilter: false,
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

document.addEventListener("DOMContentLoaded", sortableBoard);
document.addEventListener("htmx:afterSettle", sortableBoard);
