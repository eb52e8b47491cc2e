"""The guides' URLs, mounted in portal.urls' ``portal_patterns``."""

from django.urls import path

from portal.guide import views

urlpatterns = [
    path("help/", views.guide_home, name="guide"),
    path("help/<slug:role>/", views.guide_detail, name="guide_detail"),
    path("help/<slug:role>.pdf", views.guide_pdf, name="guide_pdf"),
]
