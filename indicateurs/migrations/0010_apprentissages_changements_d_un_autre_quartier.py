"""Un apprentissage ne se rattache qu'au changement visé d'une stratégie de son quartier (quelle
qu'en soit la version) : la règle de la page d'ajout, de l'API et, depuis peu, de
l'administration (`indicateurs.services._erreurs_de_rattachement`, que `ApprentissageAdminForm`
appelle). Avant, l'administration enregistrait un apprentissage de A rattaché au changement visé
d'une stratégie de B : ce rattachement est retiré (l'apprentissage, lui, reste, sans changement
visé). Les bilans déjà produits gardent leur instantané. Sans effet une seconde fois."""

from django.db import migrations
from django.db.models import F


def retirer_les_changements_d_un_autre_quartier(apps, schema_editor):
    Apprentissage = apps.get_model("indicateurs", "Apprentissage")
    Apprentissage.objects.filter(changement__isnull=False).exclude(
        changement__strategie__quartier_id=F("quartier_id")
    ).update(changement=None)


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0009_indicateur_source_en"),
    ]

    operations = [
        migrations.RunPython(
            retirer_les_changements_d_un_autre_quartier, migrations.RunPython.noop, elidable=True
        ),
    ]
