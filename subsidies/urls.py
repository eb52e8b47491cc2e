from django.urls import path

from subsidies.views import claims, documents, reviews

app_name = "subsidies"
urlpatterns = [
    # The claimant (第三方): its claims, Annex 2, attachments.
    path("claims/", claims.claim_list, name="claim_list"),
    path("claims/new/", claims.claim_create, name="claim_create"),
    path("claims/hires/", claims.introduced_hires, name="introduced_hires"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/edit/", claims.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/submit/", claims.claim_submit, name="claim_submit"),
    path("claims/<int:pk>/withdraw/", claims.claim_withdraw, name="claim_withdraw"),
    path("claims/<int:pk>/attachments/", claims.attachment_upload, name="attachment_upload"),
    path("claims/<int:pk>/attachments/<int:attachment_pk>/", claims.attachment_download, name="attachment_download"),
    path("claims/<int:pk>/attachments/<int:attachment_pk>/delete/", claims.attachment_delete, name="attachment_delete"),
    # The city: queues, review, payment.
    path("claims/review/", reviews.review_queue, name="review_queue"),
    path("claims/<int:pk>/review/", reviews.review_claim, name="review_claim"),
    path("claims/<int:pk>/review/decide/", reviews.review_decide, name="review_decide"),
    path("claims/<int:pk>/review/pay/", reviews.review_pay, name="review_pay"),
    path("claims/exceptions/", reviews.person_exceptions, name="person_exceptions"),
    # The claim's documents, for its claimant and the city's reviewers; the public check of their code.
    path("claims/<int:pk>/annex2.pdf", documents.annex2_pdf, name="annex2_pdf"),
    path("claims/<int:pk>/annex3.pdf", documents.annex3_pdf, name="annex3_pdf"),
    path("verify/", documents.verify_form, name="verify_form"),
    path("verify/<str:code>/", documents.verify, name="verify"),
    path("verify/<str:code>/paper/", documents.verify_paper, name="verify_paper"),
]
