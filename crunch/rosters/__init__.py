"""Rosters: a school year's children as immutable revisions (models, store), checked and
compared as data (children), imported (importing), what teachers may do (staff), demo
children (demo), and the pages (views, forms)."""
