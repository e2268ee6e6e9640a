"""Benchmark of the web pages with 100,000 victims: do list and search pages answer in under 300 ms?

Usage: .venv/bin/python benchmarks/web.py [--victims 100000] [--repeat 3] [--keep DIR]

Builds a throw-away SQLite database (in a temporary KUAGER_HOME, or DIR with
--keep, reused when it already holds the data) with SYNTHETIC victims: one
testimony, one mention, two spellings (Cyrillic and Latin) and two events each,
drawn from invented given names and patronymics. Then requests each page through
Django's test client (the whole request: URL routing, permissions, queries,
templates) as a viewer, an editor and the public, and prints per page:

- uncached: the first request after a data change (the data version of
  kuager.web.cache moved, as any save does), median of ``--repeat`` such
  requests; this is what the 300 ms budget is for;
- cached: the median of ``--repeat`` requests with nothing changed between them.

Each client first opens a page once, so template loading is not counted.
Wall-clock time depends on the machine and on other jobs sharing it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

GIVEN = ["Гүлмира", "Айгерім", "Ерлан", "Нұрлан", "Жанар", "Асылбек", "Бақыт", "Мейрамгүл", "Серік", "Дәулет",
         "Әсел", "Қайрат", "Гүлнар", "Бауыржан", "Айнұр", "Мұрат", "Сәуле", "Ержан", "Динара", "Талғат",
         "Арман", "Жұлдыз", "Болат", "Ақмарал", "Нұржан", "Қуаныш", "Әлия", "Омар", "Зарина", "Рысбек"]
FATHER = ["Әділ", "Серік", "Бек", "Болат", "Нұрлан", "Қасым", "Талғат", "Ермек", "Марат", "Асқар",
          "Жомарт", "Тұрсын", "Ахмет", "Сейіт", "Оспан", "Құрман", "Жақып", "Мақсат", "Айдар", "Ғани",
          "Бейсен", "Кәрім", "Тілеу", "Шәкен", "Ыбырай", "Дүйсен", "Смағұл", "Есен", "Жұмабай", "Қали"]
ETHNICITY = ["Kazakh"] * 6 + ["Uyghur"] * 3 + ["Kyrgyz"]
KINDS = ["detained_camp", "detained_prison", "sentenced", "lost_contact", "released", "disappeared"]
BUDGET_MS = 300


def _setup(home: Path) -> None:
    os.environ["KUAGER_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuager.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from kuager.records.services.setup import initialise

    initialise()


def _populate(n: int, seed: int = 0) -> None:
    import datetime as dt

    from django.db import transaction

    from kuager import names as kn
    from kuager.names.kazakh import to_latin
    from kuager.records import models as m

    if m.Victim.objects.count() >= n:
        print(f"reusing {m.Victim.objects.count():,} victims")
        return
    rng = random.Random(seed)
    t0 = time.perf_counter()
    batch = 5000
    for start in range(0, n, batch):
        with transaction.atomic():
            rows = []
            for i in range(start, min(n, start + batch)):
                g, f = rng.choice(GIVEN), rng.choice(FATHER)
                female = rng.random() < 0.5
                suffix = "қызы" if female else "ұлы"
                rows.append((i, f"{g} {f}{suffix}", female))
            ts = m.Testimony.objects.bulk_create([
                m.Testimony(number=f"B-{i:06d}", collection="bench", consent=rng.choice(["full", "anonymous", "none"]))
                for i, _, _ in rows])
            vs = m.Victim.objects.bulk_create([
                m.Victim(public_id=f"V-{i + 1:06d}", display_name=to_latin(name),
                         verification="single_testimony") for i, name, _ in rows])
            ms = m.Mention.objects.bulk_create([
                m.Mention(key=f"B-{i:06d}/m1", testimony=t, victim=v, sex="female" if female else "male",
                          ethnicity=rng.choice(ETHNICITY), citizenship="Kazakhstan",
                          birth_year_min=(y := rng.randint(1940, 2000)), birth_year_max=y,
                          birth_date_text=str(y), place_of_origin=rng.choice(["Ili", "Tacheng", "Altay", "Urumqi"]))
                for (i, name, female), t, v in zip(rows, ts, vs)])
            names, events = [], []
            for (i, name, _), mn in zip(rows, ms):
                names.append(m.MentionName(mention=mn, text=name, script="Cyrillic", position=0))
                names.append(m.MentionName(mention=mn, text=to_latin(name), script="Latin", position=1))
                for j in (1, 2):
                    y = rng.randint(2016, 2020)
                    events.append(m.Event(key=f"B-{i:06d}/m1/e{j}", testimony_id=mn.testimony_id, mention=mn,
                                          kind=rng.choice(KINDS), date_start=dt.date(y, 1, 1),
                                          date_end=dt.date(y, 12, 31), date_precision="year", date_text=str(y)))
            names = m.MentionName.objects.bulk_create(names)
            m.NameKey.objects.bulk_create([m.NameKey(name=nm, key=k[:200]) for nm in names for k in kn.keys(nm.text)])
            m.Event.objects.bulk_create(events)
        print(f"\r  {min(n, start + batch):,} victims ({time.perf_counter() - t0:.0f} s)", end="", flush=True)
    print()
    from kuager.records.services import derived

    derived.refresh_all()  # bulk_create bypassed the receivers that keep the stored values


def rng_name(i: int) -> str:
    """An invented name for the i-th testimony the benchmark adds (not among the populated names)."""
    return f"Invented Benchkyzy {time.time_ns() % 100000}-{i}"


def _time(client, url: str, repeat: int) -> tuple[float, float, float, int]:
    """``(uncached median, uncached worst, cached median, status)`` of ``repeat`` requests each."""
    from kuager.records.services import derived

    uncached, cached, status = [], [], 0
    for _ in range(repeat):
        derived.touch()  # a data change: every cached answer is out of date
        t0 = time.perf_counter()
        r = client.get(url)
        uncached.append((time.perf_counter() - t0) * 1000)
        status = r.status_code
    for _ in range(repeat):
        t0 = time.perf_counter()
        client.get(url)
        cached.append((time.perf_counter() - t0) * 1000)
    return statistics.median(uncached), max(uncached), statistics.median(cached), status


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--victims", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="data directory to keep (and reuse) instead of a temporary one")
    args = ap.parse_args(argv)
    home = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kuager-web-bench-"))
    home.mkdir(parents=True, exist_ok=True)
    _setup(home)
    _populate(args.victims)

    from django.test import Client

    from kuager.records.services.roles import add_user

    for role in ("viewer", "editor"):
        add_user(f"bench-{role}", role, "bench-password")
    clients = {"public": Client()}
    for role in ("viewer", "editor"):
        clients[role] = Client()
        clients[role].login(username=f"bench-{role}", password="bench-password")
        try:  # editors need a second factor (issue 6): mark this benchmark session as having passed it
            from django.contrib.auth import get_user_model

            from kuager.accounts.middleware import VERIFIED
        except ImportError:
            continue
        session = clients[role].session
        session[VERIFIED] = get_user_model().objects.get(username=f"bench-{role}").pk
        session.save()
    mid = f"V-{args.victims // 2:06d}"
    pages = [
        ("viewer", "/victims/"),
        ("viewer", "/victims/?page=1000"),
        ("viewer", "/victims/?q=Gulmira+Adilkyzy"),
        ("viewer", "/victims/?q=Гүлмира+Әділқызы&ethnicity=Kazakh"),
        ("viewer", "/victims/?status=detained_camp&year=2018"),
        ("viewer", f"/victims/{mid}/"),
        ("editor", "/victims/?q=Erlan"),
        ("viewer", "/names/?q=Айгерім+Серікқызы"),
        ("viewer", "/intake/lookup/?q=Гүлмира"),
        ("public", "/public/victims/"),
        ("public", "/public/victims/?q=Gulmira+Adilkyzy"),
        ("public", f"/public/victims/{mid}/"),
    ]
    from django.core.cache import cache

    cache.clear()
    for who in clients:  # load templates and translations once per client
        clients[who].get("/public/")
    print(f"{args.victims:,} victims; {args.repeat} requests each: uncached (the first after a data change; "
          f"budget {BUDGET_MS} ms) and cached (nothing changed)")
    over = 0
    for who, url in pages:
        med, worst, cached_med, status = _time(clients[who], url, args.repeat)
        flag = "ok" if med < BUDGET_MS else "OVER"
        over += med >= BUDGET_MS
        print(f"  {flag:4} uncached {med:5.0f} ms (worst {worst:5.0f})  cached {cached_med:4.0f} ms  {status}  "
              f"{who:7} {url}")
    for who, url in [("viewer", "/dashboard/"), ("public", "/public/statistics/"), ("editor", "/review/")]:
        med, worst, cached_med, status = _time(clients[who], url, args.repeat)
        print(f"  info uncached {med:5.0f} ms (worst {worst:5.0f})  cached {cached_med:4.0f} ms  {status}  "
              f"{who:7} {url}  (not a list page; no budget)")
    # the review queue after a change that adds names (a new testimony; the kept data directory grows by
    # one invented victim per request): the name-key blocks are updated, not read again in full
    from kuager.records.services import intake

    after = []
    for i in range(args.repeat):
        intake.record_testimony(intake.TestimonyInput(
            victims=[intake.VictimInput(names=[f"{rng_name(i)}", "Гүлмира Әділқызы"], sex="female",
                                        birth_date_text="1980")],
            testifier_name="Invented Bench Testifier", consent="full", recorded_on_text="2019-03-01"))
        c0, t0 = time.process_time(), time.perf_counter()
        clients["editor"].get("/review/")
        after.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))
    print(f"  info after a new testimony {statistics.median(a for a, _ in after):5.0f} ms "
          f"({statistics.median(c for _, c in after):.0f} ms CPU)  editor  /review/  (names added)")
    print(f"{len(pages) - over} of {len(pages)} list/search/detail pages under {BUDGET_MS} ms uncached")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
