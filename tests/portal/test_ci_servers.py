"""CI's second pass must really run on PostgreSQL and Redis, or its green means nothing."""

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.conftest import REQUIRE_SERVERS


@pytest.mark.skipif(not REQUIRE_SERVERS, reason="only in CI's PostgreSQL + Redis pass (PORTAL_REQUIRE_SERVERS=1)")
def test_server_pass_runs_on_postgresql_and_redis(db):
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",), "the portal's connections run without PostgreSQL's JIT compiler"
