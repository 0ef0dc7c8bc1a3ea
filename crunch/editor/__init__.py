"""The scenario editor: the inputs as typed (forms, drafts), the row buttons (actions),\nwhat a request shows (state), figures and charts (presenting), its pages (views) and\nthe JSON API (api)."""
