"""The static HTML report: counts, charts, a page per victim, claims, facilities.

Everything shown passes through :mod:`kuager.records.redaction`; the public
report (the default) shows only what consent allows.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from django.template.loader import render_to_string

from kuager import progress
from kuager.records import models as m
from kuager.records import redaction, selectors

CHARTS = [("status", "Victims by status"), ("ethnicity", "Victims by ethnicity"),
          ("citizenship", "Victims by citizenship"), ("year", "Victims by year the trouble started")]


def _chart(counter: Counter, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    labels = [k for k, _ in items][::-1]
    values = [v for _, v in items][::-1]
    fig, ax = plt.subplots(figsize=(6, 0.45 * max(len(items), 2) + 1.0), dpi=100)
    ax.barh(labels, values, color="#8a3b12")
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel("victims")
    ax.xaxis.get_major_locator().set_params(integer=True)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)


def database_estimate() -> dict:
    """Multiple systems estimate of the total number of victims, for the report.

    Lists are the testimonies' collections; capture histories come from the
    resolved victims (all of them: an estimate is an aggregate and names nobody).

    Returns:
        ``{"estimate": Estimate}`` or ``{"refused": reason, "n_observed": n}`` (with ``refused_code``
        and ``refused_params`` for translation, see ``EstimationRefused``); never a
        number without the method, interval and assumptions that go with it.
    """
    from kuager.estimation import CaptureHistories, EstimationRefused, estimate

    frame = selectors.capture_histories()
    n = int(frame["count"].sum()) if len(frame) else 0
    try:
        return {"estimate": estimate(CaptureHistories.from_frame(frame)), "n_observed": n}
    except (EstimationRefused, ValueError) as exc:
        return {"refused": str(exc), "n_observed": n, "refused_code": getattr(exc, "code", ""),
                "refused_params": getattr(exc, "params", {})}


def write_report(out_dir: str | Path, scope: str = redaction.PUBLIC) -> Path:
    """Write the report to ``out_dir`` (created; previous report files replaced).

    Args:
        out_dir: the folder.
        scope: ``public`` (what consent allows; the default) or ``internal``.

    Returns:
        The path of ``index.html``.
    """
    out = Path(out_dir)
    audience = redaction.Audience(scope)
    (out / "victims").mkdir(parents=True, exist_ok=True)
    (out / "charts").mkdir(exist_ok=True)
    for old in (out / "victims").glob("*.html"):
        old.unlink()
    victims = list(m.Victim.objects.order_by("public_id"))
    profiles = []
    for v in progress.track(victims, "Writing victim pages"):
        p = redaction.visible_profile(v, audience)
        if p is None:
            continue
        profiles.append(p)
    counts = selectors.counts(profiles)
    charts = []
    for key, title in CHARTS:
        if counts.get(key):
            _chart(counts[key], title, out / "charts" / f"{key}.png")
            charts.append({"file": f"charts/{key}.png", "title": title,
                           "rows": sorted(counts[key].items(), key=lambda kv: (-kv[1], kv[0]))})
    testimonies = redaction.visible_testimonies(audience)
    claims = list(m.AggregateClaim.objects.select_related("source").order_by("number"))
    facilities = list(m.Facility.objects.select_related("dataset").order_by("dataset_id", "id"))
    datasets = sorted({f.dataset for f in facilities}, key=lambda s: s.key)
    sources = list(m.Source.objects.order_by("key"))
    events_total = sum(len(p.timeline) for p in profiles)
    common = {"generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "scope": scope,
              "datasets": datasets}
    for p in profiles:
        rows = []
        for entry in p.timeline:
            rows.append({"entry": entry, "testifier": redaction.testifier_label(entry.testimony, audience)})
        relatives = [{"who": redaction.testifier_label(t, audience), "relation": rel, "testimony": t}
                     for tf, rel, t in p.relatives]
        html = render_to_string("report/victim.html", {
            **common, "p": p, "timeline": rows, "relatives": relatives, "status": selectors.current_status(p),
            "root": "../"})
        (out / "victims" / f"{p.victim.public_id}.html").write_text(html, encoding="utf-8")
    testimony_rows = [{"t": t, "testifier": redaction.testifier_label(t, audience),
                       "text": redaction.testimony_text(t, audience),
                       "victims": sorted({mn.victim.public_id for mn in t.mentions.all() if mn.victim_id
                                          and any(p.victim.id == mn.victim_id for p in profiles)}),
                       "unnamed_events": list(t.events.filter(mention__isnull=True))}
                      for t in testimonies]
    victim_rows = [{"p": p, "status": selectors.current_status(p), "year": selectors.first_trouble_year(p)}
                   for p in profiles]
    html = render_to_string("report/index.html", {
        **common, "mse": database_estimate(),
        "unnamed_events": sum(len(r["unnamed_events"]) for r in testimony_rows), "victims": victim_rows, "charts": charts, "testimonies": testimony_rows, "claims": claims,
        "facility_count": len(facilities), "sources": sources, "events_total": events_total, "root": ""})
    (out / "index.html").write_text(html, encoding="utf-8")
    html = render_to_string("report/facilities.html", {**common, "facilities": facilities, "root": ""})
    (out / "facilities.html").write_text(html, encoding="utf-8")
    css = Path(__file__).resolve().parent.parent / "templates" / "report" / "report.css"
    shutil.copyfile(css, out / "report.css")
    from kuager.audit.services import record

    record("export", ("report", scope), new={"kind": "html report", "out": str(out.resolve()), "scope": scope,
                                             "victims": len(profiles), "testimonies": len(testimony_rows)})
    return out / "index.html"
