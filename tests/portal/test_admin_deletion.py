"""The admin never deletes a record inside a workflow: it changes only through its workflow's services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from portal.admin import WorkflowRecordAdmin
from referrals.constants import HireStatus
from tests.factories import HireFactory, UserFactory

#: Apps whose every model is a workflow record (posts, hires, notices, objections, reports, claims), and the core's
#: workflow records. Anything else registered is reference data or the admin's own tooling.
WORKFLOW_APPS = {"positions", "referrals", "subsidies"}
WORKFLOW_MODELS = {"portal.ThirdParty", "portal.ImportJob", "auditlog.LogEntry", "portal.PersonalDataAccess"}
#: Reference data an admin may still delete (nothing is lost that a workflow needs: the database refuses a district
#: or an employer that posts and hires point at).
DELETABLE = {"portal.District", "portal.Employer", "portal.AnnualTarget", "portal.Policy", "bases.TalentBase"}


def _is_workflow(label: str) -> bool:
    return label.split(".")[0] in WORKFLOW_APPS or label in WORKFLOW_MODELS


@pytest.mark.django_db
def test_every_workflow_model_refuses_deletion_in_the_admin() -> None:
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(admin=True, is_superuser=True)
    labels = {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}
    workflow = {label: model_admin for label, model_admin in labels.items() if _is_workflow(label)}
    assert {"positions.Position", "positions.PositionBatch", "referrals.Hire", "referrals.PublicityNotice"} <= set(
        workflow
    ), "the workflow models are registered"
    for label, model_admin in workflow.items():
        assert not model_admin.has_delete_permission(request), f"{label} can be deleted in the admin"
        assert "delete_selected" not in model_admin.get_actions(request), f"{label} offers 删除所选"
    for label in DELETABLE:
        assert labels[label].has_delete_permission(request), f"{label} is reference data an admin may delete"


def test_the_workflow_admins_are_workflow_record_admins() -> None:
    """A new admin for a workflow model gets the refusal by deriving from WorkflowRecordAdmin (or saying why not)."""
    own = {"positions", "referrals", "subsidies"}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in own:
            assert isinstance(model_admin, WorkflowRecordAdmin), model._meta.label


@pytest.mark.django_db
def test_a_hire_in_its_workflow_offers_no_delete_in_the_admin() -> None:
    hire = HireFactory(audited=True)
    client = Client()
    client.force_login(UserFactory(admin=True, is_superuser=True))
    page = client.get(f"/admin/referrals/hire/{hire.pk}/change/").content.decode()
    assert 'class="deletelink"' not in page and f"/admin/referrals/hire/{hire.pk}/delete/" not in page
    assert client.get(f"/admin/referrals/hire/{hire.pk}/delete/").status_code == 403
    assert client.post(f"/admin/referrals/hire/{hire.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = client.get("/admin/referrals/hire/").content.decode()
    assert 'value="delete_selected"' not in changelist
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED
