"""Structured logs: one JSON object a line, carrying the request id of the request being served."""

from __future__ import annotations

import json
import logging

from seen.logs import JsonFormatter, RequestIdFilter, request_id_var


def _format(record: logging.LogRecord) -> dict:
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_log_line_is_json_with_the_request_id_and_extras():
    # Given a request being served
    token = request_id_var.set("req-42")
    try:
        record = logging.LogRecord("seen.test", logging.INFO, __file__, 1, "user %s signed in", ("ada",), None)
        record.user_id = "u-1"
        entry = _format(record)
    finally:
        request_id_var.reset(token)
    # Then the line names the request, the message and the extra fields
    assert entry["request_id"] == "req-42"
    assert entry["msg"] == "user ada signed in"
    assert entry["level"] == "info"
    assert entry["logger"] == "seen.test"
    assert entry["user_id"] == "u-1"


def test_outside_a_request_there_is_no_request_id_and_errors_carry_the_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("seen.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = _format(record)
    assert "request_id" not in entry
    assert "ValueError: boom" in entry["exc"]
