"""The gazetteer: places and detention facilities. No Django import here.

Readers for published datasets return plain records; the records app stores them.
:mod:`kuager.gazetteer.places` maps any spelling of a Xinjiang prefecture or county
(Chinese, pinyin, Kazakh, Uyghur, English) to its GB/T 2260 code.
"""

from kuager.gazetteer.buzzfeed import (
    BUZZFEED_ATTRIBUTION,
    BUZZFEED_LICENSE,
    FacilityRecord,
    read_buzzfeed_facilities,
)
# the module kuager.gazetteer.places keeps its name: its function places() is not re-exported here
from kuager.gazetteer.places import Place, lookup, place_codes, prefectures

__all__ = ["BUZZFEED_ATTRIBUTION", "BUZZFEED_LICENSE", "FacilityRecord", "Place", "lookup", "place_codes",
           "prefectures", "read_buzzfeed_facilities"]
