"""A process killed in the middle of a multi-file import loses nothing already committed (SQLite file)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from test_hostile_input import HEADER, MAPPING


def _env(home):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KUAGER_KEY_FILE")}
    env["KUAGER_HOME"] = str(home)
    return env


def _csv(path, prefix, n):
    lines = [",".join(HEADER)]
    lines += [f"{prefix}-{i},Invented Witness {prefix}{i},,Invented Person {prefix}{i},detained,2019,full,story {i}"
              for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _numbers(db):
    with sqlite3.connect(db) as con:
        return sorted(r[0] for r in con.execute("SELECT number FROM records_testimony"))


def test_killed_import_keeps_the_committed_file_and_a_consistent_database(tmp_path):
    home = tmp_path / "home"
    kuager = [sys.executable, "-m", "kuager.cli", "--quiet"]
    subprocess.run(kuager + ["init"], env=_env(home), check=True, capture_output=True, timeout=300)
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    _csv(a, "A", 5)
    _csv(b, "B", 600)
    db, journal = home / "kuager.sqlite3", home / "kuager.sqlite3-journal"

    proc = subprocess.Popen(kuager + ["import", "--mapping", str(mapping), str(a), str(b)], env=_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed_mid_b = False
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            # a is committed and b's transaction has begun writing (its rollback journal exists)
            if journal.exists() and len(_numbers(db)) == 5:
                time.sleep(0.3)  # let b write some of its rows
                if journal.exists():
                    proc.send_signal(signal.SIGKILL)
                    killed_mid_b = True
                    break
            time.sleep(0.05)
    finally:
        if proc.poll() is None and not killed_mid_b:
            proc.kill()
        proc.wait(timeout=60)
    assert killed_mid_b and proc.returncode == -signal.SIGKILL

    # Reopening rolls the hot journal back: a is all there, nothing of b, and the file is sound.
    assert _numbers(db) == [f"A-{i}" for i in range(5)]
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT COUNT(*) FROM records_importbatch").fetchone() == (1,)
    verify = subprocess.run(kuager + ["audit", "verify"], env=_env(home), capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0 and verify.stdout.startswith("OK: 6 audit entries")  # 5 testimonies + 1 import
    # and b can simply be imported again
    again = subprocess.run(kuager + ["import", "--mapping", str(mapping), str(b)], env=_env(home),
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert len(_numbers(db)) == 605
