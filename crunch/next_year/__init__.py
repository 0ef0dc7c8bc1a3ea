"""Next year's scenario from this year's: children moved up a grade (service), the page
(views)."""
