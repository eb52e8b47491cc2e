from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import views

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("policies/", views.policies, name="policies"),
        path("workspace/", views.workspace, name="workspace"),
        path("employers/", views.employer_list, name="employer_list"),
        path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("bases/", include("bases.urls")),
    path("", include("referrals.urls")),
    path("", include("subsidies.urls")),
    path("positions/", include("positions.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/workspace/"),
        name="password_change",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
