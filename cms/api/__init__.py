"""The public content API (Wagtail API v2, extended). The router is in cms.api.router.

Kept free of imports so that models can use cms.api.preview_mode without a cycle.
"""
