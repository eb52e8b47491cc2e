from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from portal import views
from portal.guide.urls import urlpatterns as guide_urlpatterns
from portal.imports import views as import_job_views
from portal.notifications import views as notification_views
from portal.registration import views as registration_views
from portal.two_factor import views as two_factor_views
from positions.apis import PositionViewSet, PostProposalViewSet
from referrals.apis import (
    DeclarationConfirmationViewSet,
    DeclarationViewSet,
    HireViewSet,
    ObjectionViewSet,
    PublicityViewSet,
)
from subsidies.apis import ClaimViewSet

# /api/v1/: every app's viewsets on one router. This is the root URL configuration, the one module of the core that
# names the apps above it (the import-linter contract in pyproject.toml allows it and nothing else).
api = DefaultRouter()
api.register("positions", PositionViewSet, basename="position")
api.register("post-proposals", PostProposalViewSet, basename="post-proposal")
api.register("hires", HireViewSet, basename="hire")
api.register("publicity", PublicityViewSet, basename="notice")
api.register("objections", ObjectionViewSet, basename="objection")
api.register("declarations", DeclarationViewSet, basename="declaration")
api.register("declaration-confirmations", DeclarationConfirmationViewSet, basename="declaration-confirmation")
api.register("claims", ClaimViewSet, basename="claim")

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("policies/", views.policies, name="policies"),
        path("workspace/", views.workspace, name="workspace"),
        path("employers/", views.employer_list, name="employer_list"),
        path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
        path("inbox/", notification_views.inbox, name="inbox"),
        path("inbox/<int:pk>/read/", notification_views.notification_read, name="notification_read"),
        path("inbox/read-all/", notification_views.notifications_read_all, name="notifications_read_all"),
        path("settings/notifications/", notification_views.notification_settings, name="notification_settings"),
        path("register/", registration_views.register, name="register"),
        path("register/done/", registration_views.register_done, name="register_done"),
        path("third-parties/", registration_views.third_party_list, name="third_party_list"),
        path("third-parties/<int:pk>/verify/", registration_views.third_party_verify, name="third_party_verify"),
        path("third-parties/<int:pk>/return/", registration_views.third_party_return, name="third_party_return"),
        path("registration/", registration_views.registration_details, name="registration_details"),
        path("imports/<int:pk>/", import_job_views.import_job_detail, name="import_job"),
        path("imports/<int:pk>/confirm/", import_job_views.import_job_confirm_view, name="import_job_confirm"),
        path(
            "third-parties/<int:pk>/reveal/<str:field>/",
            registration_views.third_party_reveal,
            name="third_party_reveal",
        ),
        *guide_urlpatterns,
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("bases/", include("bases.urls")),
    path("", include("rollups.urls")),
    path("", include("referrals.urls")),
    path("", include("subsidies.urls")),
    path("positions/", include("positions.urls")),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor_views.verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# A database outage met before the view (session, user) is a 503 like one met inside it (portal.web.middleware).
handler500 = "portal.web.middleware.server_error"
