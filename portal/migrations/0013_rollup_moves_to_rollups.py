"""The 旬 roll-ups became their own app: the model leaves the core's state; its table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0012_chinese_field_names"),
        ("rollups", "0001_rollup_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RollUp")],
            database_operations=[],
        ),
    ]
