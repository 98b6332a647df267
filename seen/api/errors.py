"""One error shape for every failure: {"error": {"code": "...", "message": "..."}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from seen.services.errors import ServiceError, Throttled

log = logging.getLogger(__name__)

_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    503: "unavailable",
}


def error_response(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    body: dict = {"error": {"code": code, "message": message, **extra}}
    return JSONResponse(body, status_code=status)


def _field_name(location: tuple) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "request"


async def _on_service_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    response = error_response(error.status, error.code, error.message)
    if isinstance(error, Throttled):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


async def _on_validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = [
        {"field": _field_name(tuple(item.get("loc", ()))), "message": item.get("msg", "invalid")}
        for item in error.errors()
    ]
    first = details[0] if details else {"field": "request", "message": "invalid"}
    message = f"{first['field']}: {first['message']}"
    return error_response(422, "invalid", message, details=details)


async def _on_http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = _CODES_BY_STATUS.get(error.status_code, "error")
    message = error.detail if isinstance(error.detail, str) else code.replace("_", " ")
    response = error_response(error.status_code, code, message)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal", "Something went wrong on our side; it has been logged.")


def install_error_handlers(api: FastAPI) -> None:
    api.add_exception_handler(ServiceError, _on_service_error)
    api.add_exception_handler(RequestValidationError, _on_validation_error)
    api.add_exception_handler(StarletteHTTPException, _on_http_error)
    api.add_exception_handler(Exception, _on_unexpected)
