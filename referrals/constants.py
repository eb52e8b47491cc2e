from django.db import models
from django.utils.translation import gettext_lazy as _


class HireStatus(models.TextChoices):
    RECORDED = "recorded", _("待初审")
    RETURNED = "returned", _("已退回")
    AUDITED = "audited", _("初审通过")
    IN_PUBLICITY = "in_publicity", _("公示中")
    CONFIRMED = "confirmed", _("已确认")
    FAILED = "failed", _("异议成立")


class EmploymentMode(models.TextChoices):
    FULL_TIME = "full_time", _("全职")
    FLEXIBLE = "flexible", _("柔性")


class EmployerConfirmation(models.TextChoices):
    """Annex 3 确认: the employer confirms the hires a third party introduced (claims need it)."""

    NOT_NEEDED = "not_needed", _("无需确认")
    PENDING = "pending", _("待单位确认")
    CONFIRMED = "confirmed", _("单位已确认")
    DECLINED = "declined", _("单位不予确认")


class IntroductionStage(models.TextChoices):
    """Where a hire a third party introduced stands, as that third party follows it (``hires_introduced``): the
    hire's own status, with confirmation split by the employer's answer."""

    RECORDED = "recorded", _("已登记")
    AUDITED = "audited", _("已审核")
    IN_PUBLICITY = "in_publicity", _("公示中")
    AWAITING_EMPLOYER = "awaiting_employer", _("待单位确认")
    EMPLOYER_DECLINED = "employer_declined", _("单位不予确认")
    CONFIRMED = "confirmed", _("已确认")
    FAILED = "failed", _("异议成立")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


#: The starting rules of 按规定不公示 (name, 文件依据, order), seeded by a migration for the admin to edit, deactivate
#: or add to; the demo data makes sure they exist (a database flushed since the migration has none).
STARTING_EXEMPTION_RULES = (
    ("涉密岗位人员", "涉及国家秘密的岗位，按保密管理规定不予公开人员信息", 10),
    ("本人书面申请不公示并经批准", "本人提出书面申请、说明理由，经区县人力社保部门批准", 20),
    ("上级组织部门统一管理的人才", "按干部人事管理有关规定由组织部门统一考察公示", 30),
)

#: The publicity lasts five working days (公示5个工作日).
PUBLICITY_WORKING_DAYS = 5


class DeclarationStatus(models.TextChoices):
    """A person a third party declared it introduced (``DeclaredPerson``), awaiting its employer's answer."""

    PENDING = "pending", _("待单位确认")
    CONFIRMED = "confirmed", _("单位已确认")
    DECLINED = "declined", _("单位不予确认")
    WITHDRAWN = "withdrawn", _("已撤回")


#: The declaration statuses that hold the person for their third party at the employer: no second declaration of the
#: same person by the same third party while one is held.
DECLARATION_HELD = (DeclarationStatus.PENDING, DeclarationStatus.CONFIRMED)

#: The reason given to the other third parties when the employer confirms one of them for the same person.
COMPETING_DECLINE_REASON = "该人员已由其他第三方申报并经用人单位确认"
