from django.db import models
from django.utils.translation import gettext_lazy as _


class PositionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待初审")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("初审通过")
    SENT = "sent", _("已报送市人才中心")
    AGGREGATED = "aggregated", _("已汇总待复核")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已关闭")


class CloseReason(models.TextChoices):
    FILLED = "filled", _("已招满")
    WITHDRAWN = "withdrawn", _("已撤回")


class BatchStatus(models.TextChoices):
    OPEN = "open", _("征集中")
    SENT = "sent", _("已报送")


class PositionSource(models.TextChoices):
    FORM = "form", _("网页填报")
    IMPORT = "import", _("Excel导入")
    API = "api", _("接口")
    PROPOSAL = "proposal", _("用人单位提出")


class ProposalStatus(models.TextChoices):
    """An employer's post proposal (岗位需求) on its way to its district (docs/workflows.md, "Employers' post proposals")."""

    PROPOSED = "proposed", _("待区县处理")
    ADOPTED = "adopted", _("已采纳")
    RETURNED = "returned", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")
