"""The scenario editor: the inputs as typed (forms, drafts), the row buttons (actions),
what a request shows (state), figures and charts (presenting), its pages (views) and
the JSON API (api)."""
