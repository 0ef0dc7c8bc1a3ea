"""A scenario's history: revisions, their differences in words, restore (service), and\nthe pages (views)."""
