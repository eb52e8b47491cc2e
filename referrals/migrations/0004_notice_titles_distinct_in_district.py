from django.db import migrations, models


def number_repeated_titles(apps, schema_editor):
    """Notices published before titles had to differ: a repeated title gets its notice's reference appended (the first
    of each title keeps it), so the constraint can be added and the public can tell them apart."""
    PublicityNotice = apps.get_model("referrals", "PublicityNotice")
    seen: set[tuple[int, str]] = set()
    for notice in PublicityNotice.objects.order_by("published_on", "pk").only("district_id", "title", "reference"):
        key = (notice.district_id, notice.title)
        if key in seen:
            notice.title = f"{notice.title}（{notice.reference}）"[:200]
            notice.save(update_fields=["title"])
        seen.add((notice.district_id, notice.title))


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_personal_data_at_rest"),
    ]

    operations = [
        migrations.RunPython(number_repeated_titles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="publicitynotice",
            constraint=models.UniqueConstraint(fields=("district", "title"), name="notice_title_unique_in_district"),
        ),
    ]
