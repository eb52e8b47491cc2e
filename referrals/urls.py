from django.urls import path

from referrals.views import declarations, district, documents, employer, imports, public, reports

app_name = "referrals"
urlpatterns = [
    # The public: notices under publicity and objections to them.
    path("publicity/", public.publicity_list, name="publicity_list"),
    path("publicity/<int:pk>/", public.publicity_detail, name="publicity_detail"),
    path("publicity/<int:pk>/pdf/", documents.notice_pdf, name="notice_pdf"),
    # The office's desk (a district's, or the talent centre's): record, audit, publicise, resolve objections.
    path("hires/", district.hire_list, name="hire_list"),
    path("hires/new/", district.hire_create, name="hire_create"),
    # The talent centre's desk: hires without a district (a base's), audited and publicised by the centre.
    path("hires/centre/", district.centre_hires, name="centre_hires"),
    path("hires/import/", imports.import_sheet, name="hire_import"),
    path("hires/import/template/", imports.template_download, name="hire_import_template"),
    path("hires/<int:pk>/", district.hire_detail, name="hire_detail"),
    path("hires/<int:pk>/edit/", district.hire_edit, name="hire_edit"),
    path("hires/<int:pk>/move/", district.hire_move, name="hire_move"),
    path("hires/<int:pk>/reveal/", district.hire_reveal_id, name="hire_reveal_id"),
    path("hires/publish/", district.notice_publish, name="notice_publish"),
    path("notices/", district.notice_list, name="notice_list"),
    path("notices/<int:pk>/", district.notice_detail, name="notice_detail"),
    path("objections/", district.objection_queue, name="objection_queue"),
    path("objections/<int:pk>/resolve/", district.objection_resolve, name="objection_resolve"),
    # 每旬上报: the district sends, the city watches who has.
    path("hire-reports/", reports.report_district, name="report_district"),
    path("hire-reports/city/", reports.report_city, name="report_city"),
    # The employer confirms third-party introductions (Annex 3 确认).
    path("employer/hires/", employer.employer_hires, name="employer_hires"),
    path("employer/hires/<int:pk>/confirm/", employer.employer_confirm, name="employer_confirm"),
    # Third parties declare the people they introduced; the employer confirms or declines each.
    path("declarations/", declarations.declaration_list, name="declaration_list"),
    path("declarations/new/", declarations.declaration_create, name="declaration_create"),
    path(
        "declarations/people/<int:pk>/withdraw/",
        declarations.declared_person_withdraw,
        name="declared_person_withdraw",
    ),
    path("employer/declarations/", declarations.employer_declarations, name="employer_declarations"),
    path(
        "employer/declarations/<int:pk>/decide/",
        declarations.employer_declaration_decide,
        name="employer_declaration_decide",
    ),
]
