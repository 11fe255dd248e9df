"""Local development: debug on, mail written to var/mail/ as .eml files."""

from .base import *  # noqa: F403

DEBUG = env.get_bool("DEBUG", True)  # noqa: F405
INTERNAL_IPS = ["127.0.0.1"]
