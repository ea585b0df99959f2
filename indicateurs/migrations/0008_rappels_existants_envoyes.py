"""Les rappels inscrits avant `envoye_le` sont partis (leur réservation n'était gardée qu'une
fois le courriel envoyé, ou le worker tué juste avant, ce qu'on ne peut plus savoir) : ils sont
marqués envoyés à l'heure de leur réservation, pour qu'aucun ne reparte. Le statut des périodes
reste sans jour d'alignement (`statut_aligne_le` vide) jusqu'au prochain passage de la tâche
du calendrier, qui le pose."""

from django.db import migrations
from django.db.models import F


def marquer_envoyes(apps, schema_editor):
    RappelEnvoye = apps.get_model("indicateurs", "RappelEnvoye")
    RappelEnvoye.objects.filter(envoye_le__isnull=True).update(envoye_le=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0007_rappelenvoye_envoye_le"),
    ]

    operations = [
        migrations.RunPython(marquer_envoyes, migrations.RunPython.noop),
    ]
