"""The public content API (Wagtail API v2, extended). The router is in cms.api.router."""
