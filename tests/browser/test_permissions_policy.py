"""The Permissions-Policy header, as Chromium reads it: every feature it names is one
the browser knows (a misspelt one would silently protect nothing) and the denied ones
are off."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db(transaction=True)


def test_chromium_applies_the_permissions_policy(page, reference):
    response = page.goto(f"{page.base_url}/")
    assert response.status == 200
    known = page.evaluate("document.featurePolicy.features()")
    unknown = sorted(set(settings.SOUTIEN_PERMISSIONS_POLICY) - set(known))
    assert unknown == []
    allowed = page.evaluate("document.featurePolicy.allowedFeatures()")
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "serial"]:
        assert feature not in allowed, feature
    assert "fullscreen" in allowed
    assert page.evaluate("document.featurePolicy.allowsFeature('geolocation')") is False
    assert page.console_errors == []
