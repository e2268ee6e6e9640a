"""Hostile and broken input: every spreadsheet either imports exactly or is refused with a clear error
and leaves the database exactly as it was; names are escaped in HTML; CSV exports neutralise formulas.

All personal data here is invented.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kuager.errors import InputError, KuagerError
from kuager.records import models as m
from kuager.records.importers.mapping import load_mapping
from kuager.records.services.importing import import_file

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

HEADER = ["No", "Testifier", "Contact", "Victim", "Status", "When", "Consent", "Story"]
MAPPING = '''
[mapping]
kind = "testimonies"
null_values = ["", "unknown", "-"]
[columns]
"testimony.number" = "No"
"testimony.consent" = "Consent"
"testimony.original_text" = "Story"
"testifier.name" = "Testifier"
"testifier.contact" = "Contact"
"mention.names" = "Victim"
[[events]]
kind_column = "Status"
date = "When"
'''

HOSTILE = [
    "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "\"><svg/onload=alert(1)>",
    "'; DROP TABLE records_testimony; --", "Robert'); DELETE FROM audit_auditentry; --", "\" OR 1=1 --",
    "%s %(x)s {0} $1 \\", "=HYPERLINK(\"http://example.invalid\",\"x\")", "+7 700 000 0000", "-2+3", "@SUM(A1:A9)",
    "\t=1", "\u202eevil\u202c", "Ａｉｇｅｒｉｍ", "𝔄𝔦𝔤𝔢𝔯𝔦𝔪", "ئايگېرىم", "艾格丽姆", "Айгерім", "a\r\nb",
    "\ufeffBOM", "unknown", " - ", "", "\x07\x1b[31m",
]
_HOSTILE = st.sampled_from(HOSTILE)
_ANY = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
#: NUL and cells over csv's 131,072-character limit are refused; they have their own test below.
TEXT = st.one_of(_HOSTILE, _HOSTILE, _ANY, _ANY,
                 st.integers(min_value=290, max_value=131_000).map(lambda n: "Ж" * n))  # around column limits


def _raw_state():
    """Every row of every Kuager and auth table, as stored (ciphertext included), for exact comparison."""
    out = {}
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        for mdl in apps.get_models():
            if mdl._meta.app_label not in ("records", "audit", "auth"):
                continue
            cur.execute(f"SELECT * FROM {qn(mdl._meta.db_table)} ORDER BY 1")
            out[mdl._meta.db_table] = cur.fetchall()
    return out


def _expected(cell: str, nulls) -> str:
    v = cell.strip()
    return "" if v.lower() in nulls else v


@pytest.fixture
def mapping(tmp_path):
    p = tmp_path / "hostile.toml"
    p.write_text(MAPPING, encoding="utf-8")
    return p


def _mostly(valid):
    """Valid values nine times in ten, anything the rest of the time."""
    return st.integers(0, 9).flatmap(lambda i: TEXT if i == 0 else valid)


ROW = st.fixed_dictionaries({
    "No": _mostly(st.from_regex(r"H-[0-9]{1,3}", fullmatch=True)),
    "Testifier": TEXT, "Contact": TEXT, "Victim": TEXT, "Story": TEXT,
    "Status": _mostly(st.sampled_from(["detained", "released", "lost_contact"])),
    "When": _mostly(st.sampled_from(["2019", "2018-05", "2017-03-02", ""])),
    "Consent": _mostly(st.sampled_from(["full", "anonymous", "none"])),
})


def unique_testifiers(rows: list[dict]) -> None:
    """Make testifier names unique within a file (in place), so each row's contact is its own."""
    for i, r in enumerate(rows):
        r["Testifier"] = r["Testifier"] + f" #{i}" if r["Testifier"].strip() else r["Testifier"]


def imports_exactly_or_is_refused(path, mapping, rows: list[dict], *, named: str = "") -> None:
    """Import ``path``: either every row's values are stored exactly (after the mapping's null
    values), or an InputError with a readable message (holding ``named``) leaves the database
    exactly as before."""
    nulls = load_mapping(mapping).null_values
    before = _raw_state()
    try:
        import_file(path, mapping=mapping)
    except InputError as exc:
        event("refused")
        assert str(exc)  # a message a person can read
        assert named in str(exc)
        assert _raw_state() == before
        return
    event("imported")
    for r in rows:
        t = m.Testimony.objects.select_related("testifier").get(number=_expected(r["No"], nulls))
        assert t.original_text == _expected(r["Story"], nulls)
        assert t.testifier.name == _expected(r["Testifier"], nulls)
        assert t.testifier.contact == _expected(r["Contact"], nulls)


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(rows=st.lists(ROW, min_size=1, max_size=3))
def test_spreadsheet_imports_exactly_or_is_refused_without_trace(rows, mapping, tmp_path):
    unique_testifiers(rows)
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=HEADER)
    w.writeheader()
    w.writerows(rows)
    path = tmp_path / "hostile.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    imports_exactly_or_is_refused(path, mapping, rows)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.binary(max_size=400))
def test_malformed_bytes_are_refused_with_a_clear_error(body, mapping, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes((",".join(HEADER) + "\n").encode() + body)
    before = _raw_state()
    try:
        import_file(path, mapping=mapping)
    except KuagerError as exc:
        assert str(exc)
        assert _raw_state() == before


@pytest.mark.parametrize("content, words", [
    (b"No,Story\n\xff\xfeH-1,x\n", "not UTF-8"),
    ((",".join(HEADER) + "\nH-1,a,b,c,detained,2019,full,x\x00y\n").encode(), "NUL"),
    ((",".join(HEADER) + '\nH-1,a,b,c,detained,2019,full,"' + "y" * 140_000 + '"\n').encode(),
     "field larger|140,000 characters; at most 131,072"),
    ((",".join(HEADER) + "\nH-1,a,b," + "Ж" * 400 + ",detained,2019,full,x\n").encode(), "at most 300 fit"),
])
def test_each_broken_file_gets_a_located_error(content, words, mapping, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = _raw_state()
    with pytest.raises(KuagerError, match=words) as err:
        import_file(path, mapping=mapping)
    assert "bad.csv" in str(err.value)
    assert _raw_state() == before


def test_html_in_names_is_always_escaped_in_the_report(mapping, tmp_path):
    from kuager.records.services.reporting import write_report
    from kuager.records.services.resolution import resolve

    path = tmp_path / "x.csv"
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(HEADER)
    w.writerow(["H-1", "<b>Invented</b> Witness", "", "<script>alert('v')</script> Invented", "detained", "2019",
                "full", "<img src=x onerror=alert(1)> story"])
    path.write_text(buf.getvalue(), encoding="utf-8")
    import_file(path, mapping=mapping)
    resolve()
    write_report(tmp_path / "r")
    html = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "r").rglob("*.html"))
    assert "&lt;script&gt;alert(&#x27;v&#x27;)&lt;/script&gt; Invented" in html
    for raw in ("<script>alert", "<img src=x", "<b>Invented"):
        assert raw not in html


def test_csv_export_neutralises_formulas(mapping, tmp_path):
    from kuager.records.services.exporting import export

    path = tmp_path / "f.csv"
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(HEADER)
    for i, v in enumerate(["=1+1", "+7 700", "-2+3", "@SUM(A1)", "\t=1"]):
        w.writerow([f"H-{i}", f"{v} witness", v, f"{v} victim", "detained", "2019", "full", v])
    path.write_text(buf.getvalue(), encoding="utf-8")
    import_file(path, mapping=mapping)
    export(tmp_path / "out", fmt="csv", scope="internal")
    cells = [c for f in (tmp_path / "out").glob("*.csv")
             for row in csv.reader(f.open(encoding="utf-8-sig", newline="")) for c in row]
    assert "'=1+1" in cells and "'@SUM(A1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not c[1:].isdigit())]
