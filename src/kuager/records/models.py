"""Models: see kuager.records.models docstring."""
