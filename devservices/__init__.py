"""PostgreSQL and Redis for development and tests, from pip packages alone.

`make run` and `make test` start them when DATABASE_URL / REDIS_URL are not set
(servers.py); `make run` writes their addresses to var/services.env so that any
other command from the same checkout finds them (config/settings/env.py reads
it). Nothing here is used in production.
"""
