"""Third parties' ID numbers and bank accounts encrypted at rest, the ID number's keyed digest unique instead of the
number; the retention policy and the record of anonymisation runs (portal.retention)."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import portal.security.crypto
import portal.identity

TABLE = "portal_thirdparty"


def encrypt_existing(apps, schema_editor):
    portal.security.crypto.encrypt_table_columns(
        schema_editor.connection,
        table=TABLE,
        columns=["id_number", "bank_account"],
        digests={"id_number_digest": "id_number"},
    )


def decrypt_existing(apps, schema_editor):
    portal.security.crypto.decrypt_table_columns(
        schema_editor.connection, table=TABLE, columns=["id_number", "bank_account"], digests=["id_number_digest"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_import_jobs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="thirdparty",
            name="id_number",
            field=portal.security.crypto.EncryptedCharField(
                blank=True,
                max_length=18,
                null=True,
                validators=[portal.identity.validate_id_number],
                verbose_name="身份证号码",
            ),
        ),
        migrations.AlterField(
            model_name="thirdparty",
            name="bank_account",
            field=portal.security.crypto.EncryptedCharField(
                max_length=32, validators=[portal.identity.validate_bank_account], verbose_name="银行账号"
            ),
        ),
        migrations.AddField(
            model_name="thirdparty",
            name="id_number_digest",
            field=portal.security.crypto.KeyedDigestField(source="id_number", unique=True, verbose_name="身份证号码摘要"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
        migrations.CreateModel(
            name="AnonymisationRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "started_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="开始时间"),
                ),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                ("hire_years", models.PositiveSmallIntegerField(verbose_name="引进人才保存年限")),
                ("claim_years", models.PositiveSmallIntegerField(verbose_name="补助申报保存年限")),
                ("hires_up_to_year", models.PositiveSmallIntegerField(verbose_name="匿名化的专项年度（含）以前")),
                ("claims_closed_before", models.DateField(verbose_name="匿名化此日期前办结的申报")),
                ("hires", models.PositiveIntegerField(default=0, verbose_name="匿名化人员数")),
                ("claims", models.PositiveIntegerField(default=0, verbose_name="匿名化申报数")),
                ("objections", models.PositiveIntegerField(default=0, verbose_name="匿名化异议数")),
                ("attachments", models.PositiveIntegerField(default=0, verbose_name="删除扫描件数")),
                ("audit_entries", models.PositiveIntegerField(default=0, verbose_name="处理的审计记录数")),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        help_text="空表示定时任务",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="执行人",
                    ),
                ),
            ],
            options={
                "verbose_name": "个人信息匿名化记录",
                "verbose_name_plural": "个人信息匿名化记录",
                "ordering": ["-started_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="RetentionPolicy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "hire_years",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="专项年度结束后满该年数，姓名、身份证号码、工作经历等个人信息匿名化；人数、状态、学历、专业等统计信息保留。",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(50),
                        ],
                        verbose_name="引进人才个人信息保存年限",
                    ),
                ),
                (
                    "claim_years",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="申报办结（已发放、不予支持或已撤回）后满该年数，银行账号、联系人及电话匿名化并删除扫描件；金额与状态保留。",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(50),
                        ],
                        verbose_name="补助申报个人信息保存年限",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="修改时间")),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="修改人",
                    ),
                ),
            ],
            options={
                "verbose_name": "个人信息保存期限",
                "verbose_name_plural": "个人信息保存期限",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("pk", 1)), name="retention_policy_single_row")
                ],
            },
        ),
    ]
