"""The page-model side of headless preview (cms/api/preview.py is the API side)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail_headless_preview.models import HeadlessPreviewMixin


class HeadlessPreviewMode(HeadlessPreviewMixin):
    """Adds a "Sito esterno (API)" preview mode next to the page's own HTML preview."""

    HEADLESS_MODE = "headless"

    @property
    def preview_modes(self):
        return [*super().preview_modes, (self.HEADLESS_MODE, _("Sito esterno (API)"))]

    def serve_preview(self, request, mode_name):
        if mode_name == self.HEADLESS_MODE:
            return HeadlessPreviewMixin.serve_preview(self, request, mode_name)
        # Skip HeadlessPreviewMixin's override: the default mode stays Wagtail's own preview.
        return super(HeadlessPreviewMixin, self).serve_preview(request, mode_name)
