"""Static files referenced with Subresource Integrity; tests re-hash the files."""

HTMX_PATH = "vendor/htmx-2.0.11.min.js"
# sha384 of static/vendor/htmx-2.0.11.min.js: dist/htmx.min.js of the htmx.org 2.0.11
# npm package (`npm pack htmx.org@2.0.11`, tarball sha1 a85363c4c5af94cd634df04c4b83d06dd0e91aa7).
HTMX_INTEGRITY = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"

IDIOMORPH_PATH = "vendor/idiomorph-ext-0.7.4.min.js"
# sha384 of static/vendor/idiomorph-ext-0.7.4.min.js: dist/idiomorph-ext.min.js of the
# idiomorph 0.7.4 npm package (`npm pack idiomorph@0.7.4`, tarball sha1
# 5e6ed61ca41114c90e69c5c633c343fdffb79383): Idiomorph with htmx's `morph` swap, which the
# editor uses so that the input being typed in keeps its focus and caret.
IDIOMORPH_INTEGRITY = "sha384-SsScJKzATF/w6suEEdLbgYGsYFLzeKfOA6PY+/C5ZPxOSuA+ARquqtz/BZz9JWU8"

SORTABLE_PATH = "vendor/sortable-1.15.6.min.js"
# sha384 of static/vendor/sortable-1.15.6.min.js: Sortable.min.js of the sortablejs 1.15.6
# npm package (`npm pack sortablejs@1.15.6`, tarball sha1 ff93699493f5b8ab8d828f933227b4988df1d393).
SORTABLE_INTEGRITY = "sha384-HZZ/fukV+9G8gwTNjN7zQDG0Sp7MsZy5DDN6VfY3Be7V9dvQpEpR2jF2HlyFUUjU"

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
        # Other errors carry a message retargeted to the flash area (see crunch/web/errors.py).
        {"code": "[45]..", "swap": True, "error": True},
    ],
}
