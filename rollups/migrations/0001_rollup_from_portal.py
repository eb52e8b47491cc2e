"""The roll-up model as the core created it (table ``portal_rollup``), now owned by this app.

Only the migration state moves: the table, its rows and its constraints stay. The content type is renamed rather
than recreated, so permissions granted on roll-ups keep pointing at them.
"""

from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="portal", model="rollup").update(app_label="rollups")


def content_type_returns(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="rollups", model="rollup").update(app_label="portal")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0012_chinese_field_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RollUp",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("period", models.CharField(max_length=10, verbose_name="旬")),
                        ("revision", models.PositiveIntegerField(default=1, verbose_name="版本")),
                        ("is_current", models.BooleanField(default=True, verbose_name="当前版本")),
                        ("figures", models.JSONField(verbose_name="数据")),
                        ("fingerprint", models.CharField(max_length=64, verbose_name="数据指纹")),
                        ("computed_at", models.DateTimeField(auto_now_add=True, verbose_name="汇总时间")),
                    ],
                    options={
                        "verbose_name": "旬汇总",
                        "verbose_name_plural": "旬汇总",
                        "db_table": "portal_rollup",
                        "ordering": ["-period", "-revision"],
                        "constraints": [
                            models.UniqueConstraint(fields=("period", "revision"), name="rollup_unique_revision"),
                            models.UniqueConstraint(
                                condition=models.Q(("is_current", True)), fields=("period",), name="rollup_one_current"
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_returns),
    ]
