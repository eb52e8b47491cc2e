"""factory_boy factories; states are traits (``UserFactory(clerk=True)``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum.cn import ric, uscc

from portal.calendar import TenDayPeriod
from portal.constants import DistrictKind, Role, ThirdPartyKind
from portal.models import District, Employer, ThirdParty, User
from positions.models import Position, PositionBatch
from positions.salary import parse_salary
from referrals.models import Hire

if TYPE_CHECKING:
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
    status = "recorded"
    recorded_by = factory.SubFactory(UserFactory, clerk=True, district=factory.SelfAttribute("..district"))

    class Params:
        audited = factory.Trait(status="audited")
        confirmed = factory.Trait(status="confirmed", confirmed_at=factory.LazyFunction(timezone.now))
        introduced = factory.Trait(third_party=factory.SubFactory(ThirdPartyFactory), employer_confirmation="pending")


def claimable_hire(
    third_party: ThirdParty | None, employer: Employer | None = None, channel: str = "bounty_list", **extra: object
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
    table: the upload rules have their own tests)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from subsidies.models import ClaimAttachment

    for kind in ("annex2", "annex3"):
        ClaimAttachment.objects.create(
            claim=claim,
            kind=kind,
            stored_name=f"{kind}-{claim.pk}.pdf",
            file=SimpleUploadedFile(f"{kind}.pdf", SIGNED_SCAN),
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=len(SIGNED_SCAN),
            sha256="0" * 64,
            uploaded_by=user,
        )
