"""Scrobbling webhooks over REST: the caller's own URLs, and the endpoints Plex and Jellyfin post to.

The media-server endpoints have no login: the secret token in the path is the credential, so they skip
the session and CSRF checks. Once the token is known, whatever is in the payload is answered with 200
and what was done (or why nothing was): a media server retries errors, and retrying would change nothing.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fastapi import APIRouter, HTTPException, Request, Response, status
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from seen.api.deps import CurrentCaller, in_session
from seen.config import get_settings
from seen.services import webhooks
from seen.services.errors import InvalidInput
from seen.services.webhooks import Outcome, WebhookUrls

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

TOO_LARGE = f"The webhook body is larger than {webhooks.MAX_BODY_BYTES // (1024 * 1024)} MB."


@router.get("", response_model=WebhookUrls | None)
async def my_webhook_urls(caller: CurrentCaller) -> WebhookUrls | None:
    base_url = get_settings().public_base_url
    return await in_session(lambda db: webhooks.webhook_urls(session=db, user_id=caller.user.id, base_url=base_url))


@router.post("/token", response_model=WebhookUrls)
async def new_webhook_token(caller: CurrentCaller) -> WebhookUrls:
    base_url = get_settings().public_base_url
    return await in_session(lambda db: webhooks.regenerate_token(session=db, user_id=caller.user.id, base_url=base_url))


@router.delete("/token", status_code=status.HTTP_204_NO_CONTENT)
async def turn_webhooks_off(caller: CurrentCaller) -> Response:
    await in_session(lambda db: webhooks.disable_webhooks(session=db, user_id=caller.user.id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _body(request: Request) -> bytes:
    """The request body, refused with 413 past the cap (before reading it when the length is announced)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > webhooks.MAX_BODY_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, TOO_LARGE)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > webhooks.MAX_BODY_BYTES:
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, TOO_LARGE)
            chunks.append(chunk)
    except ClientDisconnect as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "The client went away before the body arrived.") from error
    return b"".join(chunks)


async def _plex_payload(request: Request, body: bytes) -> bytes | str:
    """Plex posts multipart/form-data with the JSON in the `payload` field (plus, at times, a thumbnail)."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return body  # a relay (Tautulli, a test) may post the JSON itself

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(
        request.headers, stream(), max_files=4, max_fields=16, max_part_size=webhooks.MAX_BODY_BYTES
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise InvalidInput(f"the body is not valid multipart form data: {error.message}") from error
    try:
        payload = form.get("payload")
        if not isinstance(payload, str):
            raise InvalidInput("the form has no `payload` field with the event's JSON")
        return payload
    finally:
        await form.close()


async def _scrobble(source: str, token: str, request: Request) -> Outcome:
    # The token first: a stranger learns nothing about the payload rules, only "not found".
    await in_session(lambda db: webhooks.user_for_token(session=db, token=token))
    body = await _body(request)
    payload = webhooks.parse_json(await _plex_payload(request, body) if source == "plex" else body)
    return await in_session(lambda db: webhooks.receive(session=db, source=source, token=token, payload=payload))


@router.post("/plex/{token}", response_model=Outcome)
async def plex_webhook(token: str, request: Request) -> Outcome:
    return await _scrobble("plex", token, request)


@router.post("/jellyfin/{token}", response_model=Outcome)
async def jellyfin_webhook(token: str, request: Request) -> Outcome:
    return await _scrobble("jellyfin", token, request)
