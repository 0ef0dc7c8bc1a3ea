"""What every page and fragment shares: htmx helpers, vendored assets, headers, error
pages, and the registration of the feature packages' blueprints (`setup.register`)."""
