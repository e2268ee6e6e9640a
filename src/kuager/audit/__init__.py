"""The audit log (issue 6): append-only, hash-chained; see :mod:`kuager.audit.services`."""
