"""Where downloads go on disk, and names that are safe to write there.

Names come from strangers (magnet display names, torrent names, URL paths, Content-Disposition headers), so
every one is reduced to a single harmless path component, and every path an engine reports is checked to
stay inside the downloads directory before the app trusts it.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from email.message import Message
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from seen.config import get_settings
from seen.services.errors import InvalidInput

# Longest name written, in UTF-8 bytes: most filesystems allow 255; the rest leaves room for ".part" and
# the " (1a2b3c4d)" suffix of job folders.
MAX_NAME_BYTES = 180
# An extension longer than this is more likely part of the name ("Mr. Robot season one") than a file type.
_MAX_EXTENSION_BYTES = 16
# Names Windows refuses whatever their extension (a downloads folder is often shared over SMB).
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}
)
_SEPARATORS = re.compile(r"[/\\]+")
_SPACES = re.compile(r"\s+")


class PathEscape(InvalidInput):
    """A path that would leave the directory it must stay in (``..``, an absolute path, a symlink out)."""

    code = "path_escape"


def safe_name(name: str, *, fallback: str = "download") -> str:
    """`name` as one harmless path component; `fallback` when nothing usable is left."""
    return _trimmed(_cleaned(name), MAX_NAME_BYTES) or fallback


def job_directory_name(job_id: uuid.UUID, title: str) -> str:
    """The folder of one job: "Big Buck Bunny (1a2b3c4d)", or "1a2b3c4d" alone when there is no title.

    The id part keeps two jobs with the same title apart and lets an admin find a job's folder.
    """
    short_id = job_id.hex[:8]
    suffix = f" ({short_id})"
    name = _trimmed(_cleaned(title), MAX_NAME_BYTES - len(suffix))
    return f"{name}{suffix}" if name else short_id


def inside(root: Path, candidate: Path | str) -> Path:
    """`candidate` (absolute, or relative to `root`) resolved, symlinks included; PathEscape when outside root."""
    resolved_root = Path(root).resolve()
    resolved = (resolved_root / candidate).resolve()
    if not resolved.is_relative_to(resolved_root):
        raise PathEscape(f"The path {str(candidate)!r} leads outside the downloads folder.")
    return resolved


def downloads_root() -> Path:
    """The downloads directory of the current settings, created on first use."""
    root = get_settings().resolved_downloads_dir
    root.mkdir(mode=0o755, parents=True, exist_ok=True)
    return root


def file_name_from_url(url: str, content_disposition: str | None = None) -> str:
    """The name to save a URL's body under: the server's Content-Disposition name, else the URL's last segment."""
    suggested = _disposition_file_name(content_disposition) if content_disposition else None
    if not suggested:
        parts = urlsplit(url)
        suggested = unquote(PurePosixPath(parts.path).name) or parts.hostname or ""
    # A suggested name may carry a directory ("../../etc/passwd", "C:\\x\\y.iso"): only its last part counts.
    last_part = _SEPARATORS.split(suggested.strip())[-1]
    return safe_name(last_part)


def _disposition_file_name(header: str) -> str | None:
    """The filename (RFC 6266, including the RFC 5987 ``filename*=UTF-8''...`` form) a server suggests."""
    message = Message()
    message["content-disposition"] = header
    try:
        return message.get_filename()
    except (ValueError, LookupError):  # a malformed header or an unknown charset: use the URL instead
        return None


def _cleaned(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = _SEPARATORS.sub("_", name)
    name = _SPACES.sub(" ", name)
    # Control characters (NUL included) and invisible format characters (a right-to-left override can
    # disguise "exe.mp4" as "mp4.exe") have no place in a file name.
    name = "".join(char for char in name if unicodedata.category(char) not in {"Cc", "Cf", "Cs"})
    # No hidden files, no "." or "..", and no trailing dots or spaces (Windows drops them silently).
    name = name.lstrip(".").rstrip(". ").strip()
    stem = name.split(".", 1)[0].strip().upper()
    if stem in _WINDOWS_RESERVED:
        name = f"_{name}"
    return name


def _trimmed(name: str, max_bytes: int) -> str:
    """`name` cut to `max_bytes` of UTF-8 on a character boundary, keeping a short extension."""
    if len(name.encode()) <= max_bytes:
        return name
    stem, dot, extension = name.rpartition(".")
    keep = f"{dot}{extension}" if stem and len(extension.encode()) + 1 <= _MAX_EXTENSION_BYTES else ""
    head = name[: len(name) - len(keep)] if keep else name
    budget = max_bytes - len(keep.encode())
    cut = head.encode()[:budget].decode(errors="ignore").rstrip(". ")
    return f"{cut}{keep}" if cut else ""
