"""Class lists: the board that places a roster's children in a plan's classes (board),
saved lists (store), their exports (exports) and pages (views)."""
