"""Files in and out of a scenario: grade counts imported from CSV or .xlsx within limits
(importing, upload_limits, xlsx_rows), the scenario and its class list exported
(exports, cells), and the pages (views)."""
