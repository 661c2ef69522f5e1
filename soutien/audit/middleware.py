from soutien.audit.services import audit_denied


class AuditDeniedMiddleware:
    """Record every 403 answer that the view did not already record with
    ``audit_denied`` (a view refusing access, a CSRF failure, the admin…)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 and not getattr(request, "_audit_denied_recorded", False):
            audit_denied(request, "http_403")
        return response
