from django.urls import path

from positions import views

app_name = "positions"
urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("<int:pk>/", views.public_detail, name="public_detail"),
    path("district/", views.district_batch, name="district_batch"),
    path("district/queue/<str:status>/", views.district_queue, name="district_queue"),
    path("new/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("move/", views.move_many, name="move_many"),
    path("batch/<int:pk>/send/", views.batch_send, name="batch_send"),
    path("batch/<int:pk>/reopen/", views.batch_reopen, name="batch_reopen"),
    path("city/", views.city_batches, name="city_batches"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/<int:pk>/", views.detail, name="detail"),
    path("import/", views.import_sheet, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("export/", views.export_sheet, name="export"),
]
