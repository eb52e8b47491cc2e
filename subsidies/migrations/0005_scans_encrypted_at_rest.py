"""The claims' scans encrypted whole on disk, like the stored documents: every scan still in plaintext is written
again encrypted (a new file; the plaintext one is deleted once the migration commits). A scan already encrypted is
left as it is, so running this again changes nothing."""

from django.db import migrations

import portal.security.files
import subsidies.models


def encrypt_existing(apps, schema_editor):
    portal.security.files.encrypt_existing_files(apps.get_model("subsidies", "ClaimAttachment"), "file")


def decrypt_existing(apps, schema_editor):
    portal.security.files.decrypt_existing_files(apps.get_model("subsidies", "ClaimAttachment"), "file")


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0004_once_per_person"),
    ]

    operations = [
        migrations.AlterField(
            model_name="claimattachment",
            name="file",
            field=portal.security.files.EncryptedFileField(
                max_length=200, upload_to=subsidies.models._attachment_path, verbose_name="文件"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
    ]
