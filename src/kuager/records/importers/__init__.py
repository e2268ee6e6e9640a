"""Readers for import files: spreadsheets with a mapping, Kuager JSON, facility datasets.

Readers parse and validate; :mod:`kuager.records.services.importing` writes.
"""
