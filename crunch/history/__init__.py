"""A scenario's history: revisions, their differences in words, restore (service), and
the pages (views)."""
