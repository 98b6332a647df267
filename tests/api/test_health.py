"""Health endpoints over HTTP."""

from __future__ import annotations


def test_live_answers_ok(client):
    # When the app process is up
    response = client.get("/api/v1/health/live")
    # Then liveness says so
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_each_dependency(client, backend):
    response = client.get("/api/v1/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    expected_dialect = "sqlite" if backend.name == "sqlite" else "postgresql"
    assert body["checks"]["database"]["detail"] == expected_dialect
    expected_cache = "MemoryCache" if backend.name == "sqlite" else "RedisCache"
    assert body["checks"]["cache"]["detail"] == expected_cache


def test_ready_is_503_when_the_database_is_down(client, settings_env):
    # Given a database nobody listens on
    from seen import db

    settings_env(DATABASE_URL="postgresql://seen@127.0.0.1:9/nowhere")
    db.reset_engine()
    # When readiness is asked
    response = client.get("/api/v1/health/ready")
    # Then it refuses with the failing check named
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["cache"]["ok"] is True


def test_ready_is_503_when_redis_is_down(client, backend, settings_env):
    settings_env(REDIS_URL="redis://127.0.0.1:9/0")
    response = client.get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_every_response_carries_request_id_and_security_headers(client):
    response = client.get("/api/v1/health/live", headers={"X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    # A hostile request id is replaced, not echoed
    evil = client.get("/api/v1/health/live", headers={"X-Request-ID": "<script>" + "x" * 100})
    assert evil.headers["x-request-id"] != "<script>" + "x" * 100
    assert len(evil.headers["x-request-id"]) == 32
