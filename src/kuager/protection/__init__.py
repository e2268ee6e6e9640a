"""Protecting people and the record (issue 6). Django-free.

- :mod:`kuager.protection.crypto`: field encryption at rest (AES-256-GCM), the
  key file, blind indexes, passphrase keys (scrypt) and encrypted streams for
  backups.

See ``docs/protection.md``.
"""
