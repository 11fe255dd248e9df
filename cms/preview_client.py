"""A preview client of our own at PREVIEW_CLIENT_URL's default, /anteprima/.

The "Sito esterno (API)" preview mode opens the client site with
?content_type=…&token=…; partners point PREVIEW_CLIENT_URL at their own page.
Out of the box this one answers: a static page whose script fetches
/api/v2/preview/ with the token and renders the JSON as a partner site would.
It holds no data itself (the API checks the token), so it needs no login.
"""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin


@never_cache
@xframe_options_sameorigin  # the admin shows it in its preview frame, from the same site
def preview_client(request: HttpRequest) -> HttpResponse:
    response = TemplateResponse(request, "cms/preview_client.html", {})
    # Scripts only from us; images from anywhere the API's renditions may live.
    response["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; "
        "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    )
    response["Referrer-Policy"] = "no-referrer"
    return response
