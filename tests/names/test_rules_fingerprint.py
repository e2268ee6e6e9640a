"""The key rules' fingerprint changes when the rules change, and only then."""

from __future__ import annotations

import importlib

import kuager.names as kn

keys_module = importlib.import_module("kuager.names.keys")


def test_fingerprint_is_stable_and_short():
    a = kn.rules_fingerprint()
    assert a == kn.rules_fingerprint()
    assert len(a) == 16 and int(a, 16) >= 0


def test_fingerprint_changes_with_the_version(monkeypatch):
    before = kn.rules_fingerprint()
    monkeypatch.setattr(keys_module, "RULES_VERSION", keys_module.RULES_VERSION + 1)
    assert kn.rules_fingerprint() != before


def test_fingerprint_changes_when_a_probe_gets_other_keys(monkeypatch):
    before = kn.rules_fingerprint()
    real = keys_module.keys

    def changed(name: str) -> set[str]:  # a rule change that drops the "u:" keys
        return {k for k in real(name) if not k.startswith("u:")}

    monkeypatch.setattr(keys_module, "keys", changed)
    assert kn.rules_fingerprint() != before
