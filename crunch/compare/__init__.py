"""Two to four scenarios side by side: the figures (service) and the page (views)."""
