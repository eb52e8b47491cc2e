"""Vocabulary shared by every app: the Chinese terms of docs/, one TextChoices each."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_CLERK = "district_clerk", _("区县经办人")
    DISTRICT_REVIEWER = "district_reviewer", _("区县初审人")
    TALENT_CENTRE = "talent_centre", _("市人才中心")
    BUREAU_REVIEWER = "bureau_reviewer", _("市人社局流动处")
    THIRD_PARTY = "third_party", _("第三方荐才机构/个人")
    EMPLOYER = "employer", _("用人单位")
    ADMIN = "admin", _("系统管理员")


#: Roles whose every record and page is confined to one district (docs/roles.md, "District scope").
DISTRICT_ROLES = frozenset({Role.DISTRICT_CLERK, Role.DISTRICT_REVIEWER})
#: City-level staff who see every district.
CITY_ROLES = frozenset({Role.TALENT_CENTRE, Role.BUREAU_REVIEWER, Role.ADMIN})


class DistrictKind(models.TextChoices):
    DISTRICT = "district", _("区")
    COUNTY = "county", _("县")
    AUTONOMOUS_COUNTY = "autonomous_county", _("自治县")
    MANAGEMENT_ZONE = "zone", _("管理区")


class Channel(models.TextChoices):
    BOUNTY_LIST = "bounty_list", _("揭榜招贤")
    SPECIAL_RECRUITMENT = "special_recruitment", _("引才专项")


class Programme(models.TextChoices):
    QIHANG = "qihang", _("启航")
    HAIJU = "haiju", _("海聚")


class FigureSource(models.TextChoices):
    """Where an admin-kept figure (a subsidy cap, an annual target) comes from (docs/figures.md, "Where the caps and
    targets come from")."""

    DOCUMENT = "document", _("文件依据")
    ADMIN = "admin", _("系统管理员录入")


class Education(models.TextChoices):
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士")
    DOCTOR = "doctor", _("博士")
    ANY = "any", _("不限")


class ThirdPartyKind(models.TextChoices):
    AGENCY = "agency", _("人力资源服务机构")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    INDIVIDUAL = "individual", _("个人")


class ThirdPartyStatus(models.TextChoices):
    """Where a third party's registration stands with the talent centre (``portal.registration.verification.MOVES``)."""

    PENDING = "pending", _("待核验")
    RETURNED = "returned", _("退回补正")
    VERIFIED = "verified", _("已核验")


class NotificationKind(models.TextChoices):
    """What a notice is about: each user chooses per kind whether it also comes by e-mail (``portal.notifications.services``)."""

    CLAIM_DECISION = "claim_decision", _("补助申报审核结果")
    CLAIM_PAYMENT = "claim_payment", _("补助发放")
    HIRE_CONFIRMATION = "hire_confirmation", _("人员确认")
    POST_PROPOSAL = "post_proposal", _("岗位需求")
    ACCOUNT = "account", _("账号通知")
    DIGEST = "digest", _("每日待办汇总")


class ImportJobKind(models.TextChoices):
    """Which annex a background import job reads (``portal.imports.jobs``)."""

    POSITIONS = "positions", _("岗位表（附件1）")
    HIRES = "hires", _("到岗人员（附件3）")
    BASES = "bases", _("人才基地名单（附件4）")


class ImportJobStatus(models.TextChoices):
    """upload → 排队中 → 校验中 → 待确认 → (the owner confirms) 排队中 → 写入中 → 已完成; 失败 from any step."""

    QUEUED = "queued", _("排队中")
    VALIDATING = "validating", _("校验中")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("待确认")
    WRITING = "writing", _("写入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
