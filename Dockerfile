# The application image: web (gunicorn), worker and beat all run from it.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/data/media

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected into the image. Production settings insist on real
# values, so the build passes placeholders that exist only for this command.
RUN SECRET_KEY=build-only-$(python -c "import secrets; print(secrets.token_urlsafe(50))") \
    HASH_KEY=build-only-$(python -c "import secrets; print(secrets.token_urlsafe(32))") \
    ALLOWED_HOSTS=build.invalid SITE_URL=https://build.invalid DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://build.invalid:6379/0 CACHE_REDIS_URL=redis://cache.build.invalid:6379/0 \
    EMAIL_URL=console: DEFAULT_FROM_EMAIL=build@build.invalid \
    NEWSLETTER_PRIVACY_URL=https://build.invalid/privacy/ \
    python manage.py collectstatic --noinput --verbosity 0

RUN useradd --create-home --uid 1000 app \
    && mkdir -p /data/media /app/var \
    && chown -R app:app /data /app/var
USER app

EXPOSE 8000
# config/gunicorn.py: access log on stdout with tokens redacted, proxies from FORWARDED_ALLOW_IPS.
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.py", "--bind", "0.0.0.0:8000"]
