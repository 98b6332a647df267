"""Reading an uploaded file safely: size limits, the type sniffed from the bytes, zips opened in memory.

Nothing here touches the filesystem: a zip's member names are only dictionary keys, so "../../etc/passwd"
inside an archive is just a name we do not recognise. Every refusal is an `InvalidInput` naming the file
(and the line, for broken CSV or JSON), so the person uploading it knows what to fix.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any

from seen.services.errors import InvalidInput

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
# A real export holds a handful of files of a few MB; anything far beyond is a mistake or a zip bomb.
MAX_ZIP_ENTRIES = 500
MAX_ENTRY_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
MAX_CSV_FIELD = 1024 * 1024  # Letterboxd reviews are long, but not this long


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # the line the row starts on, 1 = the header
    values: dict[str, str]


def check_size(data: bytes) -> None:
    if not data:
        raise InvalidInput("the uploaded file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"the upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")


def sniff(data: bytes) -> str:
    """What the bytes are: "zip", "json" or "csv" (text that is not JSON); anything else is refused."""
    if data.startswith(ZIP_MAGIC):
        return "zip"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    if b"\x00" in head:
        raise InvalidInput("the file is neither a zip, a JSON file nor a CSV file")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A cut in the middle of a multi-byte character at the 4 KB mark is not an error.
        if error.start < len(head) - 3:
            raise InvalidInput("the file is neither a zip, a JSON file nor a UTF-8 CSV file") from error
    return "csv"


def read_zip(data: bytes, *, file_name: str) -> dict[str, bytes]:
    """The archive's files by their path inside it (folders left out), every limit checked before reading."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise InvalidInput(f"{file_name} is not a readable zip archive: {error}") from error
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > MAX_ZIP_ENTRIES:
            raise InvalidInput(f"{file_name} holds {len(members)} files; at most {MAX_ZIP_ENTRIES} are accepted")
        declared = sum(info.file_size for info in members)
        if declared > MAX_TOTAL_BYTES:
            raise InvalidInput(f"{file_name} unpacks to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB")
        files: dict[str, bytes] = {}
        for info in members:
            if info.file_size > MAX_ENTRY_BYTES:
                raise InvalidInput(f"{info.filename} in {file_name} is too large once unpacked")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                raise InvalidInput(f"{info.filename} in {file_name} is compressed suspiciously well (a zip bomb?)")
            # The declared size can lie: read at most one byte past it and refuse when there is more.
            try:
                with archive.open(info) as member:
                    content = member.read(info.file_size + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as error:
                raise InvalidInput(f"{info.filename} in {file_name} cannot be unpacked: {error}") from error
            if len(content) > info.file_size:
                raise InvalidInput(f"{info.filename} in {file_name} is larger than its archive entry says")
            files[posixpath.normpath(info.filename.replace("\\", "/")).lstrip("/")] = content
        return files


def text_of(data: bytes, *, file_name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInput(f"{file_name} line {line}: not UTF-8 text") from error


def read_json(data: bytes, *, file_name: str) -> Any:
    try:
        return json.loads(text_of(data, file_name=file_name))
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{file_name} line {error.lineno}: broken JSON ({error.msg})") from error


def read_csv(text: str, *, file_name: str, required: tuple[str, ...], first_line: int = 1) -> list[CsvRow]:
    """Rows as dicts keyed by the header; the header must hold every `required` column."""
    csv.field_size_limit(MAX_CSV_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidInput(f"{file_name} is empty")
        header = [name.strip() for name in header]
        missing = [name for name in required if name not in header]
        if missing:
            raise InvalidInput(f"{file_name} line {first_line}: missing column(s) {', '.join(missing)}")
        rows: list[CsvRow] = []
        start = reader.line_num + 1
        for values in reader:
            if any(value.strip() for value in values):
                if len(values) > len(header):
                    raise InvalidInput(
                        f"{file_name} line {start + first_line - 1}: {len(values)} fields, the header has {len(header)}"
                    )
                rows.append(CsvRow(start + first_line - 1, dict(zip(header, values, strict=False))))
            start = reader.line_num + 1
        return rows
    except csv.Error as error:
        raise InvalidInput(f"{file_name} line {reader.line_num + first_line - 1}: broken CSV ({error})") from error
