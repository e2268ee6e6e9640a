"""Uploads never touch the disk in clear: they are held in memory, up to a size limit.

Django writes uploads over ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) to a
temporary file in clear (``TemporaryFileUploadHandler``). Kuager uses only
:class:`MemoryUploadHandler` instead: every file is kept in memory whatever its
size, up to ``KUAGER_MAX_UPLOAD_BYTES`` (setting; environment
``KUAGER_MAX_UPLOAD_MB``, default 128 MB: several files of up to
50 MiB each in one intake form) for the whole request.
:class:`kuager.accounts.middleware.UploadLimitMiddleware` refuses a larger
request (by its Content-Length) with 413 before reading it; a request without
a Content-Length that grows past the limit is stopped here
(``RequestDataTooBig``: 400). The evidence service then encrypts the bytes as
it stores them (:mod:`kuager.records.services.evidence`).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

DEFAULT_MAX = 128 * 1024 * 1024


def max_upload_bytes() -> int:
    """The largest request body accepted (``settings.KUAGER_MAX_UPLOAD_BYTES``)."""
    return int(getattr(settings, "KUAGER_MAX_UPLOAD_BYTES", DEFAULT_MAX))


class MemoryUploadHandler(FileUploadHandler):
    """Keep each uploaded file in memory (never in a temporary file); stop past :func:`max_upload_bytes`."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.total = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        self.total = getattr(self, "total", 0) + len(raw_data)
        if self.total > max_upload_bytes():
            raise RequestDataTooBig("upload larger than KUAGER_MAX_UPLOAD_BYTES")
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(file=self.file, field_name=self.field_name, name=self.file_name,
                                    content_type=self.content_type, size=file_size, charset=self.charset,
                                    content_type_extra=self.content_type_extra)
