import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: a forgotten variable must not serve debug pages.
# `make run`, the tests and the Procfile set development or test settings explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
