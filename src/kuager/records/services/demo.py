"""The main job on the bundled real data, as ``kuager demo`` and ``make demo`` run it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from kuager import progress
from kuager.paths import PACKAGE_DATA
from kuager.records import models as m

#: The bundled files, imported in this order.
BUNDLED_FILES = [
    PACKAGE_DATA / "opendemocracy-2018" / "testimonies.csv",
    PACKAGE_DATA / "opendemocracy-2018" / "aggregate_claims.csv",
    PACKAGE_DATA / "facilities" / "buzzfeed-xinjiang-camps-2021.tsv",
]


@dataclass
class DemoSummary:
    """Counts after the demo, and where the report is."""

    testimonies: int
    victims: int
    events: int
    appeals: int
    claims: int
    facilities: int
    report: Path
    import_lines: list[str]

    def text(self) -> str:
        return "\n".join(self.import_lines + [
            "",
            "Kuager demo finished:",
            f"  testimonies:      {self.testimonies}",
            f"  victims:          {self.victims}",
            f"  events:           {self.events}",
            f"  appeals:          {self.appeals}",
            f"  aggregate claims: {self.claims}",
            f"  facilities:       {self.facilities}",
            f"  report:           {self.report}",
        ])


def run_demo(out: str | Path | None = None) -> DemoSummary:
    """Initialise, import the bundled files, resolve, write the public report.

    Re-running changes no count (imports are idempotent, resolution stable).

    Args:
        out: the report folder (default ``$KUAGER_HOME/report``).

    Returns:
        A :class:`DemoSummary`.
    """
    from kuager.records.services.importing import import_file
    from kuager.records.services.reporting import write_report
    from kuager.records.services.resolution import resolve
    from kuager.records.services.setup import initialise

    progress.say("Initialising the data directory and database...")
    initialise()
    lines = []
    for path in BUNDLED_FILES:
        progress.say(f"Importing {path.name}...")
        report = import_file(path)
        lines.append(report.summary())
    progress.say("Resolving victims...")
    lines.append(resolve().summary())
    progress.say("Writing the report...")
    index = write_report(Path(out) if out else Path(settings.HOME) / "report")
    return DemoSummary(
        testimonies=m.Testimony.objects.count(), victims=m.Victim.objects.count(), events=m.Event.objects.count(),
        appeals=m.Appeal.objects.count(), claims=m.AggregateClaim.objects.count(),
        facilities=m.Facility.objects.count(), report=index, import_lines=lines)
