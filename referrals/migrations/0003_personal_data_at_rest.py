"""Hires' ID numbers encrypted at rest; one person per programme and year is now unique on the keyed digest.
``anonymised_at`` marks a hire whose personal data the retention task removed (portal.retention)."""

from django.db import migrations, models

import portal.security.crypto

TABLE = "referrals_hire"


def encrypt_existing(apps, schema_editor):
    portal.security.crypto.encrypt_table_columns(
        schema_editor.connection, table=TABLE, columns=["id_number"], digests={"id_number_digest": "id_number"}
    )


def decrypt_existing(apps, schema_editor):
    portal.security.crypto.decrypt_table_columns(
        schema_editor.connection, table=TABLE, columns=["id_number"], digests=["id_number_digest"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_hire_report_employer_confirmation"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="hire",
            name="hire_unique_person_per_programme_year",
        ),
        migrations.AlterField(
            model_name="hire",
            name="id_number",
            field=portal.security.crypto.EncryptedCharField(max_length=18, verbose_name="身份证号码"),
        ),
        migrations.AddField(
            model_name="hire",
            name="id_number_digest",
            field=portal.security.crypto.KeyedDigestField(source="id_number", verbose_name="身份证号码摘要"),
        ),
        migrations.AddField(
            model_name="hire",
            name="anonymised_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="匿名化时间"),
        ),
        migrations.AddConstraint(
            model_name="hire",
            constraint=models.UniqueConstraint(
                fields=("id_number_digest", "programme", "year"), name="hire_unique_person_per_programme_year"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
    ]
