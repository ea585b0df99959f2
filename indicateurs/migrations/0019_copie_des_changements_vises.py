"""`ChangementVise.copie_de` : le changement de la version d'où la préparation d'un brouillon
a copié chacun des siens (`services_strategie._copier`), pour qu'une action inscrite ou
modifiée après la préparation serve aussi la copie de ce qu'elle sert (`services_actions`).

Les brouillons préparés avant cette migration reçoivent le lien au mieux : leur changement
et celui du même code dans la version d'où il a été copié (celle en vigueur du quartier, à
défaut la dernière adoptée avant lui). Un code modifié dans le brouillon depuis la
préparation reste sans lien : ses actions sont celles que la préparation a copiées, comme
avant. Un brouillon par quartier au plus : une requête par brouillon. Défaite, elle ne fait
rien (la colonne disparaît)."""

import django.db.models.deletion
from django.db import migrations, models


def relier_les_brouillons(apps, schema_editor):
    StrategieDeChangement = apps.get_model("indicateurs", "StrategieDeChangement")
    ChangementVise = apps.get_model("indicateurs", "ChangementVise")
    for brouillon in StrategieDeChangement.objects.filter(statut="brouillon"):
        adoptees = StrategieDeChangement.objects.filter(
            quartier_id=brouillon.quartier_id, version__lt=brouillon.version
        ).exclude(statut="brouillon")
        modele = (
            adoptees.filter(statut="en_vigueur").first() or adoptees.order_by("-version").first()
        )
        if modele is None:
            continue
        originaux = dict(ChangementVise.objects.filter(strategie=modele).values_list("code", "pk"))
        for copie in ChangementVise.objects.filter(strategie=brouillon, copie_de__isnull=True):
            if copie.code in originaux:
                copie.copie_de_id = originaux[copie.code]
                copie.save(update_fields=["copie_de"])


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0018_commentaires_de_saisie"),
    ]

    operations = [
        migrations.AddField(
            model_name="changementvise",
            name="copie_de",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="copies",
                to="indicateurs.changementvise",
                verbose_name="copié de",
            ),
        ),
        migrations.RunPython(relier_les_brouillons, migrations.RunPython.noop),
    ]
