"""Demo content for `manage.py load_demo`: the content as data in content.py, the
loader that builds it in loader.py. `cms.demo.load` is the entry in settings.DEMO_LOADERS."""

from .content import REFERENCE_SLUG
from .loader import load

__all__ = ["REFERENCE_SLUG", "load"]
