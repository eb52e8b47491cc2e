"""A claimant's submission and correction are audited against the claim row the service read under lock (no second
read for the audit), with the very entry auditlog's own receiver writes: the bank account masked, the same changes."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import User
from subsidies import services
from subsidies.models import Claim
from tests.factories import ClaimFactory, attach_signed_annexes

pytestmark = pytest.mark.django_db


def _last_entry(claim: Claim) -> LogEntry:
    return LogEntry.objects.get_for_object(claim).order_by("-pk").first()


def _entry_as_compared(entry: LogEntry) -> tuple[object, ...]:
    changes = dict(entry.changes_dict)
    # The moments differ between two claims made one after the other: that they changed is what compares.
    moments = {name for name in ("updated_at", "status_since", "submitted_at") if changes.pop(name, None)}
    return (entry.action, entry.actor_id, entry.object_repr, changes, moments, entry.additional_data)


def _submit_twice(headhunter: User, monkeypatch: pytest.MonkeyPatch) -> tuple[LogEntry, LogEntry, int]:
    """The same submission of two claims alike: once through the service, once with auditlog's own second read."""
    ours_claim, theirs_claim = (ClaimFactory(by=headhunter, amounts=("30000",)) for _ in range(2))
    for claim in (ours_claim, theirs_claim):
        attach_signed_annexes(claim, headhunter)
    with CaptureQueriesContext(connection) as queries:
        services.claim_submit(claim=ours_claim, by=headhunter)
    reads = [q for q in queries if q["sql"].startswith('SELECT "subsidies_claim"."id"')]
    monkeypatch.setattr(services, "audited_against", lambda stored: contextlib.nullcontext())
    services.claim_submit(claim=theirs_claim, by=headhunter)
    return _last_entry(ours_claim), _last_entry(theirs_claim), len(reads)


def test_a_submission_is_audited_against_the_locked_row_as_auditlog_would(
    headhunter: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    party = headhunter.third_party
    assert party is not None
    party.bank_account = "6222020200001234567"
    party.save()
    ours, theirs, reads = _submit_twice(headhunter, monkeypatch)
    assert reads == 1, "the locked read only; no second read for the audit entry"
    assert "status" in ours.changes_dict and "bank_account" in ours.changes_dict
    assert "6222020200001234567" not in str(ours.changes), "the trail masks the bank account"
    ours_view, theirs_view = _entry_as_compared(ours), _entry_as_compared(theirs)
    assert ours_view[:2] == theirs_view[:2] and ours_view[3:] == theirs_view[3:]
    assert ours.changes_dict["status"] == theirs.changes_dict["status"]


def test_a_correction_is_audited_against_the_locked_row_as_auditlog_would(
    headhunter: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def corrected(claim: Claim) -> services.ClaimData:
        item = claim.items.select_related("hire").get()
        return services.ClaimData(
            employer=claim.employer,
            employer_contact="李经理",
            employer_phone="023-45678902",
            lines=(services.ClaimLine(hire=item.hire, requested_amount=Decimal("25000")),),
            declares_introduced=True,
            declares_good_credit=True,
            declares_truthful=True,
        )

    ours_claim, theirs_claim = (ClaimFactory(by=headhunter, amounts=("30000",)) for _ in range(2))
    services.claim_update(claim=ours_claim, data=corrected(ours_claim), by=headhunter)
    monkeypatch.setattr(services, "audited_against", lambda stored: contextlib.nullcontext())
    services.claim_update(claim=theirs_claim, data=corrected(theirs_claim), by=headhunter)
    ours, theirs = _last_entry(ours_claim), _last_entry(theirs_claim)
    assert ours.changes_dict["employer_contact"][1] == "李经理"
    assert "requested_total" in ours.changes_dict
    ours_view, theirs_view = _entry_as_compared(ours), _entry_as_compared(theirs)
    assert ours_view[:2] == theirs_view[:2] and ours_view[3:] == theirs_view[3:]
