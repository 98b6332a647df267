"""Bencoding, the serialisation of .torrent files: a strict decoder for untrusted uploads and an encoder.

The decoder tolerates unsorted dictionary keys (some real clients write them) but refuses leading zeros,
trailing bytes, unterminated values and absurd nesting, so a hostile upload fails with `BencodeError`
instead of exhausting memory or recursion.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 64


class BencodeError(ValueError):
    """The bytes are not valid bencoding; the message says where."""


def decode(data: bytes) -> Any:
    """The value encoded in `data`: int, bytes, list or dict (keys bytes). Raises BencodeError."""
    value, end = _decode(data, 0, 0)
    if end != len(data):
        raise BencodeError(f"unexpected data after the end at byte {end}")
    return value


def decode_with_spans(data: bytes) -> tuple[Any, dict[bytes, tuple[int, int]]]:
    """Like `decode`, also returning where each top-level dictionary value starts and ends in `data`.

    A torrent's identity (its info hash) is the SHA-1 of the info dictionary exactly as it was encoded,
    so callers hash those original bytes rather than a re-encoding.
    """
    if data[:1] != b"d":
        raise BencodeError("a torrent file is a dictionary")
    spans: dict[bytes, tuple[int, int]] = {}
    result: dict[bytes, Any] = {}
    position = 1
    while position < len(data) and data[position : position + 1] != b"e":
        key, position = _decode(data, position, 1)
        if not isinstance(key, bytes):
            raise BencodeError(f"dictionary key at byte {position} is not a string")
        start = position
        result[key], position = _decode(data, position, 1)
        spans[key] = (start, position)
    if position >= len(data):
        raise BencodeError("unterminated dictionary")
    if position + 1 != len(data):
        raise BencodeError(f"unexpected data after the end at byte {position + 1}")
    return result, spans


def _decode(data: bytes, position: int, depth: int) -> tuple[Any, int]:
    if depth > MAX_DEPTH:
        raise BencodeError("nesting too deep")
    if position >= len(data):
        raise BencodeError("unexpected end of data")
    lead = data[position : position + 1]
    if lead == b"i":
        end = data.find(b"e", position + 1)
        if end == -1:
            raise BencodeError(f"unterminated integer at byte {position}")
        digits = data[position + 1 : end]
        if not digits or not digits.lstrip(b"-").isdigit() or digits.startswith(b"-0") or digits == b"-":
            raise BencodeError(f"bad integer at byte {position}")
        if len(digits) > 1 and digits.startswith(b"0"):
            raise BencodeError(f"integer with leading zero at byte {position}")
        return int(digits), end + 1
    if lead == b"l":
        items: list[Any] = []
        position += 1
        while data[position : position + 1] != b"e":
            item, position = _decode(data, position, depth + 1)
            items.append(item)
        return items, position + 1
    if lead == b"d":
        mapping: dict[bytes, Any] = {}
        position += 1
        while data[position : position + 1] != b"e":
            key, position = _decode(data, position, depth + 1)
            if not isinstance(key, bytes):
                raise BencodeError(f"dictionary key before byte {position} is not a string")
            mapping[key], position = _decode(data, position, depth + 1)
        return mapping, position + 1
    if lead.isdigit():
        colon = data.find(b":", position)
        if colon == -1 or colon - position > 12:
            raise BencodeError(f"bad string length at byte {position}")
        length_digits = data[position:colon]
        if not length_digits.isdigit():
            raise BencodeError(f"bad string length at byte {position}")
        start = colon + 1
        end = start + int(length_digits)
        if end > len(data):
            raise BencodeError(f"string at byte {position} runs past the end")
        return data[start:end], end
    raise BencodeError(f"unexpected byte {lead!r} at {position}")


def encode(value: Any) -> bytes:
    """Bencode ints, str (UTF-8), bytes, lists/tuples and dicts (keys sorted, as the format requires)."""
    parts: list[bytes] = []
    _encode(value, parts)
    return b"".join(parts)


def _encode(value: Any, parts: list[bytes]) -> None:
    if isinstance(value, bool) or not isinstance(value, int | str | bytes | list | tuple | dict):
        raise TypeError(f"cannot bencode {type(value).__name__}")
    if isinstance(value, int):
        parts.append(b"i%de" % value)
    elif isinstance(value, str | bytes):
        raw = value.encode() if isinstance(value, str) else value
        parts.append(b"%d:%s" % (len(raw), raw))
    elif isinstance(value, list | tuple):
        parts.append(b"l")
        for item in value:
            _encode(item, parts)
        parts.append(b"e")
    else:
        keyed = {(key.encode() if isinstance(key, str) else key): item for key, item in value.items()}
        parts.append(b"d")
        for key in sorted(keyed):
            _encode(key, parts)
            _encode(keyed[key], parts)
        parts.append(b"e")
