import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0016_strategie_soumise_a_l_evaluation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="indicateur",
            name="motif_retrait",
            field=models.TextField(blank=True, editable=False, verbose_name="motif du retrait"),
        ),
        migrations.AddField(
            model_name="indicateur",
            name="retire_par",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="indicateurs_retires",
                to=settings.AUTH_USER_MODEL,
                verbose_name="retiré par",
            ),
        ),
        migrations.AddField(
            model_name="indicateur",
            name="retire_le",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="retiré le"
            ),
        ),
    ]
