"""The documentation model (Django app): testimonies, mentions, victims, events, appeals.

Writes go through :mod:`kuager.records.services`, reads that need care through
:mod:`kuager.records.selectors`; views and commands stay thin.
"""
