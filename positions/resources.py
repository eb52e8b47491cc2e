"""django-import-export resource for posts: the admin's export and the benchmark's comparison.

Domain imports of Annex 1 sheets go through ``positions.importing`` (all-or-nothing, set-based); this
row-by-row resource is kept for the admin's flat exports and as the yardstick in ``bench/positions_import.py``.
"""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from portal.models import District, Employer
from positions.models import ANNEX1_FIELDS, Position, PositionBatch


class PositionResource(resources.ModelResource):
    employer = fields.Field(attribute="employer", column_name="用人单位", widget=ForeignKeyWidget(Employer, "name"))
    district = fields.Field(attribute="district", column_name="填报来源", widget=ForeignKeyWidget(District, "name"))
    batch = fields.Field(attribute="batch", column_name="旬报", widget=ForeignKeyWidget(PositionBatch, "pk"))
    name = fields.Field(attribute="name", column_name="岗位名称")
    channel = fields.Field(attribute="channel", column_name="渠道")
    headcount = fields.Field(attribute="headcount", column_name="需求人数")
    education = fields.Field(attribute="education", column_name="学历要求")
    majors = fields.Field(attribute="majors", column_name="专业要求")
    competencies = fields.Field(attribute="competencies", column_name="职业能力要求")
    recruits_graduates = fields.Field(attribute="recruits_graduates", column_name="是否招聘应届生")
    salary_text = fields.Field(attribute="salary_text", column_name="薪资范围")

    class Meta:
        model = Position
        # The natural key of a post, as in the database's unique constraint.
        import_id_fields = ("batch", "employer", "channel", "name")
        fields = ("employer", *ANNEX1_FIELDS, "district", "batch")
        skip_unchanged = True

    def before_save_instance(self, instance: Position, row: object, **kwargs: object) -> None:
        if instance.created_by_id is None:
            instance.created_by = kwargs["user"]
