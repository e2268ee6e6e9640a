"""The docs cannot drift: every mapping target, CLI command and setting is documented."""

from pathlib import Path

from kuager.cli import build_parser
from kuager.records.importers.mapping import CLAIM_TARGETS, TESTIMONY_TARGETS

ROOT = Path(__file__).resolve().parent.parent


def test_every_mapping_target_documented():
    doc = (ROOT / "docs" / "import-mapping.md").read_text(encoding="utf-8")
    for target in list(TESTIMONY_TARGETS) + list(CLAIM_TARGETS):
        assert f"`{target}`" in doc, target


def test_every_event_kind_documented():
    from kuager.records.models import EventKind

    doc = (ROOT / "docs" / "import-mapping.md").read_text(encoding="utf-8")
    for kind in EventKind.values:
        assert f"`{kind}`" in doc, kind


def test_every_command_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"kuager {name}" in readme, name


def test_settings_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for var in ("KUAGER_HOME", "DATABASE_URL"):
        assert var in readme
