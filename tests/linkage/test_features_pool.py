"""prepare() in worker processes: the same columns and the same first error as in one process."""

import pandas as pd
import pytest

from kuager.errors import InputError
from kuager.linkage import features as ft


def frame(n=8):
    # invented names; row k (1-based) is "r{k}"
    return pd.DataFrame({
        "record_id": [f"r{k}" for k in range(1, n + 1)],
        "names": ["Асылбек Талғатұлы", "Gulmira Adilkyzy", "阿斯力别克·塔力哈提", "Erlan Nurlanuli",
                  "Ахмад Нұрлан", "Nurbol Sultanuly", "古丽米拉阿迪里", "Ерлан Нұрланов"][:n],
        "birth_year": ["1980", "", "1975", "", "1990", "", "", "1966"][:n],
        "sex": ["m", "f", "", "m", "", "m", "f", ""][:n],
        "hometown": ["伊宁县", "", "Құлжа ауданы", "", "", "Almaty", "", ""][:n],
    })


@pytest.fixture
def pooled(monkeypatch):
    monkeypatch.setattr(ft, "POOL_MIN", 2)
    monkeypatch.setattr(ft, "ROWS_PER_TASK", 2)


def test_pooled_columns_equal_serial(pooled):
    df = frame()
    serial = ft.prepare(df, workers=1)
    pd.testing.assert_frame_equal(ft.prepare(df, workers=2), serial)
    # Ахмад Нұрлан (row 5): keys worked out in tests/names/test_key_paths.py
    assert serial.name_keys[4] == ["f:KMDNLN", "n:VKMT|NLN", "u:NLN|VKMT"]
    assert (serial.by_lo[4], serial.sex[0], serial.place_keys[0]) == (1990, "m", ["654021"])


@pytest.mark.parametrize("edits,row,field", [
    ({("sex", 2): "x", ("birth_year", 6): "80"}, 3, "sex"),               # the first of two bad rows
    ({("birth_year", 6): "80"}, 7, "birth_year"),                        # in the last chunk
    ({("record_id", 7): "r2", ("birth_year", 3): "19x0"}, 4, "birth_year"),  # bad value before a repeated id
    ({("record_id", 7): "r2"}, 8, "record_id"),
    ({("names", 4): " | "}, 5, "names"),
])
def test_pooled_error_is_the_first_bad_row(pooled, edits, row, field):
    df = frame()
    for (col, i), v in edits.items():
        df.loc[i, col] = v
    for workers in (1, 2):
        with pytest.raises(InputError) as exc:
            ft.prepare(df, file="in.csv", workers=workers)
        assert (exc.value.file, exc.value.row, exc.value.field) == ("in.csv", row, field)
