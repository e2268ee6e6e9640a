"""PRC resident identity numbers (公民身份号码): checksum, region, birth date, sex.

The rules are those of GB 11643-1999 *Citizen identification number*:

- 18 characters: a 6-digit address (region) code (GB/T 2260), an 8-digit birth
  date ``YYYYMMDD``, a 3-digit sequence code whose last digit is odd for men and
  even for women, and a check character.
- The check character is ISO 7064 MOD 11-2: with weights ``W_i = 2**(17-i) mod 11``
  for the first 17 digits (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2), ``S = sum(a_i W_i)``,
  the check value is ``(12 - S mod 11) mod 11`` written ``X`` for 10.

No Django import here.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))

#: Province-level codes of GB/T 2260 (the first two digits of every region code).
PROVINCES: dict[str, str] = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia",
    "21": "Liaoning", "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu",
    "33": "Zhejiang", "34": "Anhui", "35": "Fujian", "36": "Jiangxi", "37": "Shandong",
    "41": "Henan", "42": "Hubei", "43": "Hunan", "44": "Guangdong", "45": "Guangxi",
    "46": "Hainan", "50": "Chongqing", "51": "Sichuan", "52": "Guizhou", "53": "Yunnan",
    "54": "Tibet", "61": "Shaanxi", "62": "Gansu", "63": "Qinghai", "64": "Ningxia",
    "65": "Xinjiang", "71": "Taiwan", "81": "Hong Kong", "82": "Macau",
}

#: A few county-level codes of Xinjiang (GB/T 2260), used by the synthetic generator
#: and to name the region of an ID; not a complete list.
XINJIANG_COUNTIES: dict[str, str] = {
    "654021": "Yining County", "654022": "Qapqal", "654023": "Huocheng", "654024": "Gongliu",
    "654025": "Xinyuan (Künes)", "654026": "Zhaosu (Mongolküre)", "654027": "Tekes",
    "654028": "Nilka", "654201": "Tacheng (Chöchek)", "654202": "Wusu", "654221": "Emin (Dörbiljin)",
    "654224": "Toli", "654225": "Yumin", "654301": "Altay", "654321": "Burqin",
    "654322": "Fuyun (Köktogay)", "654323": "Fuhai", "654324": "Habahe (Qaba)",
    "654325": "Qinggil", "654326": "Jeminay", "652328": "Mori", "652327": "Jimsar",
}


@dataclass(frozen=True)
class ChineseID:
    """A checked identity number.

    Attributes:
        number: the 18 characters, upper-cased (``X`` for a check value of 10).
        checksum_ok: True when the check character matches (GB 11643-1999).
        region_ok: True when the first two digits are a GB/T 2260 province code.
        region: the 6-digit region code.
        province: the province name, or None when the code is unknown.
        birth_date: the birth date, or None when digits 7-14 are not a real date.
        sex: ``"male"`` (odd 17th digit) or ``"female"`` (even).
    """

    number: str
    checksum_ok: bool
    region_ok: bool
    region: str
    province: str | None
    birth_date: _dt.date | None
    sex: str

    @property
    def valid(self) -> bool:
        """True when checksum, region and birth date all check."""
        return self.checksum_ok and self.region_ok and self.birth_date is not None


def check_character(first17: str) -> str:
    """Return the GB 11643-1999 check character for 17 digits.

    Args:
        first17: the first 17 characters, all digits.
    Returns:
        one of ``0123456789X``.
    Raises:
        ValueError: when ``first17`` is not 17 digits.
    """
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"expected 17 digits, got {first17!r}")
    s = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    value = (12 - s % 11) % 11
    return "X" if value == 10 else str(value)


def parse(number: str) -> ChineseID | None:
    """Check an identity number.

    Args:
        number: the number as written; spaces are ignored, ``x`` is accepted for ``X``.
    Returns:
        a :class:`ChineseID` (look at ``valid`` and its parts), or None when the text
        is not 17 digits followed by a digit or ``X`` (the old 15-digit numbers are
        not accepted).
    """
    text = "".join(str(number).split()).upper()
    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        return None
    try:
        born: _dt.date | None = _dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        born = None
    province = PROVINCES.get(text[:2])
    return ChineseID(
        number=text,
        checksum_ok=check_character(text[:17]) == text[17],
        region_ok=province is not None,
        region=text[:6],
        province=province,
        birth_date=born,
        sex="male" if int(text[16]) % 2 else "female",
    )


def make(region: str, birth: _dt.date, sequence: int, sex: str) -> str:
    """Build a valid identity number (for synthetic data).

    Args:
        region: 6-digit region code.
        birth: the birth date.
        sequence: 0-99, the first two digits of the sequence code.
        sex: ``"male"`` or ``"female"``; sets the parity of the 17th digit.
    Returns:
        the 18-character number with its check character.
    """
    third = (2 * (sequence % 5)) + (1 if sex == "male" else 0)
    first17 = f"{region}{birth:%Y%m%d}{sequence % 100:02d}{third}"
    return first17 + check_character(first17)
