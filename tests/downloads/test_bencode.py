"""Bencoding: what real .torrent files hold decodes and round-trips; hostile bytes fail fast with BencodeError."""

from __future__ import annotations

import hashlib
import time

import pytest

from seen.downloads.bencode import MAX_DEPTH, BencodeError, decode, decode_with_spans, encode


@pytest.mark.parametrize(
    ("encoded", "value"),
    [
        (b"i0e", 0),
        (b"i-42e", -42),
        (b"i1234567890123456789012345e", 1234567890123456789012345),
        (b"0:", b""),
        (b"4:spam", b"spam"),
        (b"le", []),
        (b"li1e4:spame", [1, b"spam"]),
        (b"de", {}),
        (b"d3:cow3:moo4:spaml1:a1:bee", {b"cow": b"moo", b"spam": [b"a", b"b"]}),
        (b"d4:infod6:lengthi5eee", {b"info": {b"length": 5}}),
    ],
)
def test_valid_values_decode_and_encode_back(encoded: bytes, value) -> None:
    # Given the canonical encoding of a value
    # When it is decoded and the value re-encoded
    # Then both directions agree
    assert decode(encoded) == value
    assert encode(value) == encoded


def test_the_encoder_sorts_keys_and_takes_text() -> None:
    # Given a dictionary with unsorted text keys and a text value
    # When it is encoded
    # Then keys come out sorted, as the format requires, and text as UTF-8
    assert encode({"b": 1, "a": "é"}) == b"d1:a2:\xc3\xa91:bi1ee"


@pytest.mark.parametrize("value", [True, 1.5, None, {1: b"x"}.keys()])
def test_the_encoder_refuses_what_bencoding_cannot_hold(value) -> None:
    # Given a value with no bencoding (bool, float, None, a view)
    # When it is encoded
    # Then a TypeError names the type
    with pytest.raises(TypeError, match="cannot bencode"):
        encode(value)


@pytest.mark.parametrize(
    ("encoded", "problem"),
    [
        (b"", "unexpected end"),
        (b"i12", "unterminated integer"),
        (b"ie", "bad integer"),
        (b"i-e", "bad integer"),
        (b"i-0e", "bad integer"),
        (b"i03e", "leading zero"),
        (b"i1.5e", "bad integer"),
        (b"5:abc", "runs past the end"),
        (b"-1:a", "unexpected byte"),
        (b"4:spamx", "after the end"),
        (b"l4:spam", "unexpected end"),
        (b"d3:cow", "unexpected end"),
        (b"di1e3:mooe", "not a string"),
        (b"x", "unexpected byte"),
    ],
)
def test_malformed_bytes_are_refused_with_where(encoded: bytes, problem: str) -> None:
    # Given malformed bencoding
    # When it is decoded
    # Then BencodeError says what is wrong
    with pytest.raises(BencodeError, match=problem):
        decode(encoded)


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    # Given lists nested far deeper than any torrent needs (a stack-exhaustion attempt)
    hostile = b"l" * 100_000 + b"e" * 100_000
    # When it is decoded
    # Then it fails with BencodeError, not RecursionError
    with pytest.raises(BencodeError, match="nesting too deep"):
        decode(hostile)
    # And nesting up to the limit is still fine
    assert decode(b"l" * MAX_DEPTH + b"e" * MAX_DEPTH) is not None


def test_huge_declared_lengths_fail_fast_without_allocating() -> None:
    # Given strings that claim to be enormous (memory exhaustion attempts)
    started = time.monotonic()
    # When they are decoded
    # Then each fails at once: the length is checked against the data before anything is read
    for hostile in (b"999999999999:x", b"9999999999999999999999:x", b"l999999999:xe"):
        with pytest.raises(BencodeError):
            decode(hostile)
    assert time.monotonic() - started < 1


def test_spans_point_at_the_original_bytes_of_each_value() -> None:
    # Given a torrent whose info dictionary has keys in a non-canonical order (some clients write them so)
    info = b"d6:lengthi5e4:name1:a12:piece lengthi16e6:pieces0:e"
    unsorted_info = b"d4:name1:a6:lengthi5e12:piece lengthi16e6:pieces0:e"
    data = b"d8:announce3:url4:info" + unsorted_info + b"e"
    # When it is decoded with spans
    value, spans = decode_with_spans(data)
    # Then the info span covers exactly the uploaded bytes, whose hash differs from a re-encoding's
    start, end = spans[b"info"]
    assert data[start:end] == unsorted_info
    assert hashlib.sha1(data[start:end]).digest() != hashlib.sha1(info).digest()
    assert value[b"announce"] == b"url"
    assert encode(value[b"info"]) == info


@pytest.mark.parametrize("data", [b"", b"le", b"i1e", b"d4:info", b"d4:infode", b"dee"])
def test_spans_need_exactly_one_dictionary(data: bytes) -> None:
    # Given something that is not exactly one whole dictionary
    # When it is decoded with spans
    # Then BencodeError is raised
    with pytest.raises(BencodeError):
        decode_with_spans(data)
