"""Static files referenced with Subresource Integrity; tests re-hash the files."""

HTMX_PATH = "vendor/htmx-2.0.11.min.js"
# sha384 of static/vendor/htmx-2.0.11.min.js: dist/htmx.min.js of the htmx.org 2.0.11
# npm package (`npm pack htmx.org@2.0.11`, tarball sha1 a85363c4c5af94cd634df04c4b83d06dd0e91aa7).
HTMX_INTEGRITY = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"

# htmx settings, read by htmx from a <meta> tag (no inline script under the CSP).
HTMX_CONFIG = {
    "allowEval": False,
    "allowScriptTags": False,
    "includeIndicatorStyles": False,
    "selfRequestsOnly": True,
    "historyCacheSize": 0,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        # Invalid input: the answer carries the messages beside the fields.
        {"code": "422", "swap": True},
        # Other errors carry a message retargeted to the flash area (see views/errors.py).
        {"code": "[45]..", "swap": True, "error": True},
    ],
}
