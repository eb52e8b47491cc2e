"""factory_boy factories; states are traits (``UserFactory(clerk=True)``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum.cn import ric, uscc

from bases.models import BaseBatch, TalentBase
from portal.calendar import TenDayPeriod
from portal.constants import DistrictKind, Role, ThirdPartyKind
from portal.contacts import TALENT_CENTRE
from portal.models import District, Employer, ThirdParty, User
from positions.models import Position, PositionBatch
from positions.salary import parse_salary
from referrals.models import Hire

if TYPE_CHECKING:
    from referrals.models import PublicityNotice
    from subsidies.models import Claim


def make_uscc(n: int) -> str:
    body = f"91500000MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def make_id_number(n: int, region: str = "500103", birthday: str = "19990101") -> str:
    body = f"{region}{birthday}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


class DistrictFactory(DjangoModelFactory[District]):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    kind = DistrictKind.DISTRICT


class EmployerFactory(DjangoModelFactory[Employer]):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"重庆测试科技有限公司{n}")
    credit_code = factory.Sequence(make_uscc)
    district = factory.SubFactory(DistrictFactory)
    contact_name = "王经理"
    contact_phone = "023-88888888"


class ThirdPartyFactory(DjangoModelFactory[ThirdParty]):
    class Meta:
        model = ThirdParty

    kind = ThirdPartyKind.AGENCY
    name = factory.Sequence(lambda n: f"重庆测试人力资源有限公司{n}")
    credit_code = factory.Sequence(lambda n: make_uscc(500000 + n))
    id_number = None
    phone = "13900000000"
    bank_name = "中国银行重庆分行"
    bank_account = "6217000000000000000"

    class Params:
        verified = factory.Trait(status="verified", verified_at=factory.LazyFunction(timezone.now))
        returned = factory.Trait(
            status="returned",
            return_reason="开户银行与银行账号不一致，请核对后重新提交。",
            returned_at=factory.LazyFunction(timezone.now),
        )
        individual = factory.Trait(
            kind=ThirdPartyKind.INDIVIDUAL,
            credit_code=None,
            id_number=factory.Sequence(make_id_number),
            name=factory.Sequence(lambda n: f"荐才个人{n}"),
        )


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.ADMIN
    password = factory.PostGenerationMethodCall("set_password", "Secret-pass-123")

    class Params:
        clerk = factory.Trait(role=Role.DISTRICT_CLERK, district=factory.SubFactory(DistrictFactory))
        district_reviewer = factory.Trait(role=Role.DISTRICT_REVIEWER, district=factory.SubFactory(DistrictFactory))
        centre = factory.Trait(role=Role.TALENT_CENTRE)
        bureau = factory.Trait(role=Role.BUREAU_REVIEWER)
        third_party_user = factory.Trait(role=Role.THIRD_PARTY, third_party=factory.SubFactory(ThirdPartyFactory))
        employer_user = factory.Trait(role=Role.EMPLOYER, employer=factory.SubFactory(EmployerFactory))
        admin = factory.Trait(role=Role.ADMIN, is_staff=True, is_superuser=True)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class PositionBatchFactory(DjangoModelFactory[PositionBatch]):
    class Meta:
        model = "positions.PositionBatch"
        django_get_or_create = ("district", "period")

    district = factory.SubFactory(DistrictFactory)
    period = factory.LazyFunction(lambda: str(TenDayPeriod.current()))


class PositionFactory(DjangoModelFactory[Position]):
    """A post; traits give its state: ``PositionFactory(published=True)``."""

    class Meta:
        model = "positions.Position"

    batch = factory.SubFactory(PositionBatchFactory)
    district = factory.SelfAttribute("batch.district")
    employer = factory.SubFactory(EmployerFactory, district=factory.SelfAttribute("..district"))
    channel = "bounty_list"
    name = factory.Sequence(lambda n: f"智能制造工程师{n}")
    headcount = 2
    education = "master"
    majors = "机械工程、自动化"
    competencies = "1.熟悉工业控制；\n2.有项目经验。"
    recruits_graduates = True
    salary_text = "15-25万元/年"
    salary_min = factory.LazyAttribute(lambda o: parse_salary(o.salary_text).minimum)
    salary_max = factory.LazyAttribute(lambda o: parse_salary(o.salary_text).maximum)
    status = "draft"
    created_by = factory.SubFactory(UserFactory, clerk=True, district=factory.SelfAttribute("..district"))

    class Params:
        submitted = factory.Trait(status="submitted")
        approved = factory.Trait(status="approved")
        sent = factory.Trait(status="sent")
        aggregated = factory.Trait(status="aggregated")
        published = factory.Trait(status="published", published_at=factory.LazyFunction(timezone.now))


class HireFactory(DjangoModelFactory[Hire]):
    """A hire recorded at a published post; traits give its state: ``HireFactory(confirmed=True)``.

    Built straight into the table (no service), for reads and lists; tests of the rules go through the services.
    ``third_party=...`` needs ``employer_confirmation="pending"`` (or another state than ``not_needed``)."""

    class Meta:
        model = "referrals.Hire"

    position = factory.SubFactory(PositionFactory, published=True)
    employer = factory.SelfAttribute("position.employer")
    channel = factory.SelfAttribute("position.channel")
    post_name = factory.SelfAttribute("position.name")
    district = factory.SelfAttribute("position.district")
    programme = "qihang"
    year = 2026
    name = factory.Sequence(lambda n: f"人才{n}")
    id_number = factory.Sequence(lambda n: make_id_number(n, birthday=f"{2000 + n // 1000 % 5}0101"))
    mode = "full_time"
    contract_term = "3年"
    school = "重庆大学"
    major = "机械工程"
    education = "master"
    # The facts the district's audit checks: an 应届 graduation date for 启航, a work history for 海聚.
    graduated_on = factory.LazyAttribute(
        lambda o: datetime.date(o.year - 1, 6, 30) if o.programme == "qihang" else None
    )
    work_experience = factory.LazyAttribute(lambda o: "2018年起从事工程研发" if o.programme == "haiju" else "")
    status = "recorded"
    # A district's clerk records a district's hire; a hire without a district arrives declared and confirmed by its
    # employer (a base), whose account stands as its recorder.
    recorded_by = factory.Maybe(
        "district",
        yes_declaration=factory.SubFactory(UserFactory, clerk=True, district=factory.SelfAttribute("..district")),
        no_declaration=factory.SubFactory(
            UserFactory, employer_user=True, employer=factory.SelfAttribute("..employer")
        ),
    )

    class Params:
        #: At an employer (a base) without a district, on a post not on the portal's lists: the talent centre's.
        without_district = factory.Trait(
            position=None,
            district=None,
            employer=factory.SubFactory(EmployerFactory, district=None),
            channel="bounty_list",
            post_name=factory.Sequence(lambda n: f"基地研发工程师{n}"),
        )
        audited = factory.Trait(status="audited")
        confirmed = factory.Trait(status="confirmed", confirmed_at=factory.LazyFunction(timezone.now))
        introduced = factory.Trait(third_party=factory.SubFactory(ThirdPartyFactory), employer_confirmation="pending")


class PublicityNoticeFactory(DjangoModelFactory):
    """A district's publicity notice (公示) under way: published yesterday, open for three more days; ``closed=True``:
    published ten days ago, closed two days ago. ``hires=[…]`` puts those hires under it (in publicity)."""

    class Meta:
        model = "referrals.PublicityNotice"
        skip_postgeneration_save = True

    district = factory.SubFactory(DistrictFactory)
    reference = factory.Sequence(lambda n: f"GS-TEST-{n:04d}")
    # The talent centre's titles are numbered: one title per office, and the centre's notices share one.
    title = factory.LazyAttributeSequence(
        lambda o, n: (
            f"{o.district.name}卓越工程师引进人才公示"
            if o.district
            else f"{TALENT_CENTRE}卓越工程师引进人才公示（第{n}批）"
        )
    )
    published_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    published_by = factory.Maybe(
        "district",
        yes_declaration=factory.SubFactory(UserFactory, clerk=True, district=factory.SelfAttribute("..district")),
        no_declaration=factory.SubFactory(UserFactory, centre=True),
    )

    class Params:
        #: The talent centre's notice (hires without a district).
        centre = factory.Trait(district=None)
        closed = factory.Trait(
            published_on=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2)),
        )

    @factory.post_generation
    def hires(obj: PublicityNotice, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            Hire.objects.filter(pk__in=[hire.pk for hire in extracted]).update(status="in_publicity", notice=obj)


def claimable_hire(
    third_party: ThirdParty | None, employer: Employer | None = None, channel: str = "bounty_list", **extra: Any
) -> Hire:
    """A hire a third party may claim: introduced by it, confirmed by publicity and by the employer."""
    position_kwargs: dict[str, object] = {"position__channel": channel}
    if employer is not None:
        position_kwargs |= {"position__employer": employer, "position__batch__district": employer.district}
    fields: dict[str, object] = {
        "third_party": third_party,
        "employer_confirmation": "confirmed",
        "status": "confirmed",
        "confirmed_at": timezone.now(),
        "arrived_on": timezone.localdate(),
    }
    return HireFactory(**(fields | position_kwargs | extra))


def pdf_document(*, catalog: str = "", page: str = "", objects: Sequence[str] = ()) -> bytes:
    """A one-page PDF written by hand, with a correct cross-reference table: ``catalog`` and ``page`` are added to
    the catalogue's and the page's dictionaries, ``objects`` become objects 4, 5, … (refer to them as ``4 0 R``)."""
    bodies = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog}>>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {page}>>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


#: The smallest file the attachment checks accept as a PDF: one blank page.
SIGNED_SCAN = pdf_document()


def attach_signed_annexes(claim: Claim, user: User) -> None:
    """The signed Annex 2 and stamped Annex 3 scans a claim needs before it can be submitted (straight into the
    table, encrypted as an upload's are: the upload rules have their own tests)."""
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.security.crypto import encrypt_bytes
    from subsidies.models import ClaimAttachment

    for kind in ("annex2", "annex3"):
        ClaimAttachment.objects.create(
            claim=claim,
            kind=kind,
            stored_name=f"{kind}-{claim.pk}.pdf",
            file=SimpleUploadedFile(f"{kind}.pdf", encrypt_bytes(SIGNED_SCAN)),
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=len(SIGNED_SCAN),
            sha256=hashlib.sha256(SIGNED_SCAN).hexdigest(),
            uploaded_by=user,
        )


def ensure_caps() -> None:
    """The two channels' caps (渝人社发〔2022〕50号) when no cap is in the table yet: a claim's amounts are checked
    against them."""
    from decimal import Decimal

    from portal.models import SubsidyCap

    if not SubsidyCap.objects.exists():
        for channel, amount in (("bounty_list", "30000"), ("special_recruitment", "4000")):
            SubsidyCap.objects.create(
                channel=channel,
                amount=Decimal(amount),
                effective_from=datetime.date(2022, 1, 1),
                source="document",
                policy_reference="渝人社发〔2022〕50号",
            )


class ClaimFactory(DjangoModelFactory):
    """A claim made through the real services (claim_create, claim_submit, claim_review, claim_pay), so that each
    state has its events, reviewers, opinions and totals as the workflow leaves them:

    - ``ClaimFactory(by=headhunter, employer=employer, amounts=("30000", "20000"))``: a draft of one new claimable
      hire per amount (``hire_fields`` passed to each, ``hire_names`` naming them in turn), or of ``hires`` as given
      (one amount each); ``attached=True`` adds the signed annexes to the draft;
    - traits, each through the steps before it: ``submitted``; ``returned`` (by the talent centre, ``first_opinion``
      the reason); ``first_passed`` (the centre's first review); ``approved`` (the bureau's re-review, at
      ``approved_amounts`` or the amounts asked); ``paid`` (registered by the bureau on ``paid_on``).

    ``centre`` and ``bureau`` are made when not given. The caps are created if the table has none."""

    class Meta:
        model = "subsidies.Claim"

    by = factory.SubFactory(UserFactory, third_party_user=True, third_party__verified=True)
    employer = factory.SubFactory(EmployerFactory)
    amounts: Sequence[object] = ("30000",)
    hires: Sequence[object] | None = None
    hire_fields = factory.Dict({})
    hire_names: Sequence[str] | None = None
    employer_contact = "张经理"
    employer_phone = "023-45678901"
    attached = False
    status = "draft"
    centre = None
    bureau = None
    first_opinion = "材料齐全，同意。"
    second_opinion = "核定激励金额。"
    approved_amounts: Sequence[object] | None = None
    paid_on = factory.LazyFunction(timezone.localdate)
    payment_reference = "ZF-2026-0001"

    class Params:
        submitted = factory.Trait(status="submitted")
        returned = factory.Trait(status="returned", first_opinion="请补充用人单位盖章的确认表。")
        first_passed = factory.Trait(status="first_passed")
        approved = factory.Trait(status="approved")
        paid = factory.Trait(status="paid")

    @classmethod
    def _create(cls, model_class: type[Claim], *args: Any, **kwargs: Any) -> Claim:
        from decimal import Decimal

        from subsidies.services import ClaimData, ClaimLine, claim_create, claim_pay, claim_review, claim_submit

        by, employer, status = kwargs.pop("by"), kwargs.pop("employer"), kwargs.pop("status")
        amounts = list(kwargs.pop("amounts"))
        hire_fields: dict[str, Any] = kwargs.pop("hire_fields")
        names: Sequence[str] | None = kwargs.pop("hire_names")
        hires = kwargs.pop("hires") or [
            claimable_hire(by.third_party, employer, **hire_fields, **({"name": names[n]} if names else {}))
            for n in range(len(amounts))
        ]
        unknown = set(kwargs) - {
            *("attached", "centre", "bureau", "first_opinion", "second_opinion"),
            *("approved_amounts", "paid_on", "payment_reference", "employer_contact", "employer_phone"),
        }
        if unknown:
            raise TypeError(f"ClaimFactory does not take {sorted(unknown)}")
        ensure_caps()
        claim = claim_create(
            data=ClaimData(
                employer=employer,
                employer_contact=str(kwargs.pop("employer_contact")),
                employer_phone=str(kwargs.pop("employer_phone")),
                lines=tuple(
                    ClaimLine(hire=hire, requested_amount=Decimal(str(amount)))
                    for hire, amount in zip(hires, amounts, strict=True)
                ),
                declares_introduced=True,
                declares_good_credit=True,
                declares_truthful=True,
            ),
            by=by,
        )
        if status == "draft":
            if kwargs["attached"]:
                attach_signed_annexes(claim, by)
            return claim
        attach_signed_annexes(claim, by)
        claim = claim_submit(claim=claim, by=by)
        if status == "submitted":
            return claim
        centre = kwargs["centre"] or UserFactory(centre=True)
        action = "first_return" if status == "returned" else "first_pass"
        claim = claim_review(claim=claim, action=action, opinion=str(kwargs["first_opinion"]), by=centre)
        if status in ("returned", "first_passed"):
            return claim
        bureau = kwargs["bureau"] or UserFactory(bureau=True)
        items = list(claim.items.order_by("pk"))
        approved = kwargs["approved_amounts"] or amounts
        claim = claim_review(
            claim=claim,
            action="approve",
            opinion=str(kwargs["second_opinion"]),
            by=bureau,
            approved={item.pk: str(amount) for item, amount in zip(items, approved, strict=True)},
        )
        if status == "approved":
            return claim
        assert status == "paid", status
        return claim_pay(claim=claim, paid_on=kwargs["paid_on"], reference=str(kwargs["payment_reference"]), by=bureau)


class BaseBatchFactory(DjangoModelFactory[BaseBatch]):
    """A batch of talent bases (Annex 4): ``BaseBatchFactory(year=2024, number=2)``."""

    class Meta:
        model = BaseBatch
        django_get_or_create = ("year", "number")

    year = 2023
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda batch: f"{batch.year}年第{batch.number}批卓越工程师人才基地")


class TalentBaseFactory(DjangoModelFactory[TalentBase]):
    """An employer named a talent base in a batch: ``TalentBaseFactory(employer=employer)``."""

    class Meta:
        model = TalentBase

    batch = factory.SubFactory(BaseBatchFactory, number=1)
    employer = factory.SubFactory(EmployerFactory)
    number = factory.Sequence(lambda n: n + 1)
