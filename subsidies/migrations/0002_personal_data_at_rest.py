"""The payee's bank account copied at submission, encrypted at rest; ``anonymised_at`` marks a claim whose personal
data the retention task removed (portal.retention)."""

from django.db import migrations, models

import portal.security.crypto

TABLE = "subsidies_claim"


def encrypt_existing(apps, schema_editor):
    portal.security.crypto.encrypt_table_columns(schema_editor.connection, table=TABLE, columns=["bank_account"])


def decrypt_existing(apps, schema_editor):
    portal.security.crypto.decrypt_table_columns(schema_editor.connection, table=TABLE, columns=["bank_account"])


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0001_claims"),
    ]

    operations = [
        migrations.AlterField(
            model_name="claim",
            name="bank_account",
            field=portal.security.crypto.EncryptedCharField(blank=True, max_length=40, verbose_name="银行账号"),
        ),
        migrations.AddField(
            model_name="claim",
            name="anonymised_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="匿名化时间"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
    ]
