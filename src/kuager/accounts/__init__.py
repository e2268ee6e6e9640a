"""Accounts (issue 6): two-factor authentication (TOTP, recovery codes) and hashed, expiring API tokens."""
