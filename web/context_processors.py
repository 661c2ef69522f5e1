from django.conf import settings


def site(request):
    """Name of the service and the demo banner, for every template."""
    return {
        "SITE_NAME": "Soutien",
        "SITE_LONG_NAME": "Soutien — Mission de soutien technique renforcé",
        "DEMO_MODE": settings.DEBUG,
    }
