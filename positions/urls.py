from django.urls import path

from positions import proposal_views, views

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
    # Employers propose their own posts to their district; the district's clerk adopts or returns them.
    path("proposals/", proposal_views.proposal_list, name="proposal_list"),
    path("proposals/new/", proposal_views.proposal_create, name="proposal_create"),
    path("proposals/import/", proposal_views.proposal_import, name="proposal_import"),
    path("proposals/import/template/", proposal_views.proposal_template, name="proposal_template"),
    path("proposals/<int:pk>/edit/", proposal_views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/withdraw/", proposal_views.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/district/", proposal_views.proposal_queue, name="proposal_queue"),
    path("proposals/<int:pk>/adopt/", proposal_views.proposal_adopt, name="proposal_adopt"),
    path("proposals/<int:pk>/return/", proposal_views.proposal_return, name="proposal_return"),
]
