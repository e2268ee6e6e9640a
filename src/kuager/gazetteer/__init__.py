"""The gazetteer: places and detention facilities. No Django import here.

Readers for published datasets return plain records; the records app stores them.
"""

from kuager.gazetteer.buzzfeed import (
    BUZZFEED_ATTRIBUTION,
    BUZZFEED_LICENSE,
    FacilityRecord,
    read_buzzfeed_facilities,
)

__all__ = ["BUZZFEED_ATTRIBUTION", "BUZZFEED_LICENSE", "FacilityRecord", "read_buzzfeed_facilities"]
