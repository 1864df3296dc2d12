"""Values kept in the shared cache, which never stands between a person and their work.

When the cache cannot be reached the value is worked out again and the fault logged: a submission or a
dashboard is slower, never refused.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

Value = TypeVar("Value")


def remembered(key: str, work_out: Callable[[], Value], seconds: int) -> Value:
    """The value kept under `key`, or `work_out()`'s, then kept for `seconds`."""
    try:
        value = cache.get(key)
    except RedisError:
        logger.warning("Cache unavailable: %s worked out afresh", key)
        return work_out()
    if value is None:
        value = work_out()
        try:
            cache.set(key, value, seconds)
        except RedisError:
            logger.warning("Cache unavailable: %s not kept", key)
    return value


def forget(key: str) -> None:
    """Drop what is kept under `key`, so that the next reader works it out again."""
    try:
        cache.delete(key)
    except RedisError:
        logger.error("Cache unavailable: %s could not be forgotten and may be read until it expires", key)
