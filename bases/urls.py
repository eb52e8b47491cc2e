from django.urls import path

from bases import views

app_name = "bases"
urlpatterns = [
    path("", views.base_list, name="list"),
]
