"""Valeur.demandee : ce que le formulaire demandait quand la saisie a été soumise
(`services.soumettre_saisie`). La complétude d'un trimestre transmis se compte sur ces valeurs
demandées, pas sur les indicateurs que la table saisit aujourd'hui. Les valeurs existantes restent
vides : leurs saisies se comptent comme avant (les suivis d'aujourd'hui) jusqu'à leur prochaine
soumission; une valeur demandée mais jamais écrite n'a pas de ligne à marquer."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0010_apprentissages_changements_d_un_autre_quartier"),
    ]

    operations = [
        migrations.AddField(
            model_name="valeur",
            name="demandee",
            field=models.BooleanField(
                blank=True, editable=False, null=True, verbose_name="demandée à la soumission"
            ),
        ),
    ]
