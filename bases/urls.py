from django.urls import path

from bases import views

app_name = "bases"
urlpatterns = [
    path("", views.base_list, name="list"),
    path("import/", views.import_sheet, name="import"),
    path("import/template/", views.template_download, name="import_template"),
    path("export/", views.list_download, name="export"),
]
