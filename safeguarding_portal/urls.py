from django.contrib import admin
from django.urls import include, path

from safeguarding_portal.core import views as core_views

admin.site.site_header = "Safeguarding Portal administration"
admin.site.site_title = "Safeguarding Portal admin"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.health, name="health"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("emergency-contacts/", core_views.emergency_contacts, name="emergency_contacts"),
    path("switch/", core_views.switch_context, name="switch_context"),
    path("accounts/", include("safeguarding_portal.accounts.urls")),
    path("accounts/sso/", include("safeguarding_portal.accounts.sso_urls")),
    path("school/", include("safeguarding_portal.schools.urls")),
    path("audit/", include("safeguarding_portal.audit.urls")),
    path("reports/", include("safeguarding_portal.reports.urls")),
    path("emails/", include("safeguarding_portal.outbox.urls")),
    path("trust/standards/", include("safeguarding_portal.standards.urls")),
    path("school/retention/", include("safeguarding_portal.retention.urls")),
    path("incidents/", include("incidents.urls")),
    path("agreements/", include("aup.urls")),
    path("filtering/", include("filtering.urls")),
    path("curriculum/", include("curriculum.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("duty/", include("duty.urls")),
    path("subject-access/", include("sar.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "safeguarding_portal.core.errors.bad_request"
handler403 = "safeguarding_portal.core.errors.permission_denied"
handler404 = "safeguarding_portal.core.errors.page_not_found"
handler500 = "safeguarding_portal.core.errors.server_error"
