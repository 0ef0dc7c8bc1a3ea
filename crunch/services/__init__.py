"""The bridge between the web layer and the solver and database.

Views call these functions; these functions turn form data into the solver's
dataclasses, run the solver, and turn rows into revisions and back.
"""
