from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.publicity_list, name="publicity_list"),
    path("<int:pk>/", views.publicity_detail, name="publicity_detail"),
]
