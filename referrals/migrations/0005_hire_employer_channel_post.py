import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_posts(apps, schema_editor):
    """Every hire so far was at a post of the portal: its employer, channel and post name are the post's."""
    Hire = apps.get_model("referrals", "Hire")
    Position = apps.get_model("positions", "Position")
    post = Position.objects.filter(pk=OuterRef("position_id"))
    Hire.objects.update(
        employer_id=Subquery(post.values("employer_id")[:1]),
        channel=Subquery(post.values("channel")[:1]),
        post_name=Subquery(post.values("name")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0013_rollup_moves_to_rollups"),
        ("positions", "0001_initial"),
        ("referrals", "0004_notice_titles_distinct_in_district"),
    ]

    operations = [
        migrations.AddField(
            model_name="hire",
            name="employer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="hires",
                to="portal.employer",
                verbose_name="用人单位",
            ),
        ),
        migrations.AddField(
            model_name="hire",
            name="channel",
            field=models.CharField(
                choices=[("bounty_list", "揭榜招贤"), ("special_recruitment", "引才专项")],
                default="",
                max_length=32,
                verbose_name="渠道",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="hire",
            name="post_name",
            field=models.CharField(default="", max_length=128, verbose_name="岗位名称"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_from_posts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="hire",
            name="employer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="hires",
                to="portal.employer",
                verbose_name="用人单位",
            ),
        ),
        migrations.AlterField(
            model_name="hire",
            name="position",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="hires",
                to="positions.position",
                verbose_name="岗位",
            ),
        ),
        migrations.AlterField(
            model_name="hire",
            name="district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="hires",
                to="portal.district",
                verbose_name="区县",
            ),
        ),
        migrations.AlterField(
            model_name="publicitynotice",
            name="district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.district",
                verbose_name="区县",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicitynotice",
            constraint=models.UniqueConstraint(
                condition=models.Q(district__isnull=True),
                fields=("title",),
                name="notice_title_unique_at_talent_centre",
            ),
        ),
    ]
