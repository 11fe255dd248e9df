"""Django's Redis cache whose clear() deletes only this test run's keys.

RedisCache.clear() runs FLUSHDB, which would also empty a developer's broker and
cache sharing the database (config/settings/test.py gives each run a key prefix).
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache


class PrefixScopedRedisCache(RedisCache):
    def clear(self) -> bool:
        if not self.key_prefix:
            raise RuntimeError("PrefixScopedRedisCache needs a KEY_PREFIX")
        client = self._cache.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True
