from django.urls import path

from rollups.views import dashboard, evaluation, tenday

app_name = "rollups"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<str:chart>.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("evaluation/", evaluation.evaluation, name="evaluation"),
    path("evaluation/<int:year>.xlsx", evaluation.evaluation_xlsx, name="evaluation_xlsx"),
    path("rollups/", tenday.rollup_list, name="rollup_list"),
    path("rollups/<str:period>/", tenday.rollup_detail, name="rollup_detail"),
    path("rollups/<str:period>/xlsx/", tenday.rollup_xlsx, name="rollup_xlsx"),
    path("rollups/<str:period>/pdf/", tenday.rollup_pdf, name="rollup_pdf"),
]
