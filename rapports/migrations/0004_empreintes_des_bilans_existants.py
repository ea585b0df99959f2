"""Les bilans prêts produits avant les empreintes reçoivent celles de leurs fichiers tels qu'ils
sont stockés au moment de la migration (confiance au premier usage); un fichier introuvable est
laissé sans empreinte et `manage.py verifier_integrite` le signalera."""

import hashlib

from django.core.files.storage import default_storage
from django.db import migrations

FORMATS = ("html", "pdf", "xlsx", "csv")


def _empreinte(nom: str) -> dict | None:
    if not nom or not default_storage.exists(nom):
        return None
    with default_storage.open(nom, "rb") as fichier:
        condense = hashlib.file_digest(fichier, "sha256")
    return {"sha256": condense.hexdigest(), "taille": default_storage.size(nom)}


def remplir(apps, schema_editor):
    Bilan = apps.get_model("rapports", "Bilan")
    prets = Bilan.objects.filter(statut="pret", empreintes={}).only(
        "pk", *(f"fichier_{f}" for f in FORMATS)
    )
    for bilan in prets.iterator(chunk_size=100):
        empreintes = {}
        for extension in FORMATS:
            empreinte = _empreinte(getattr(bilan, f"fichier_{extension}").name)
            if empreinte is not None:
                empreintes[extension] = empreinte
        Bilan.objects.filter(pk=bilan.pk).update(empreintes=empreintes)


class Migration(migrations.Migration):
    dependencies = [
        ("rapports", "0003_empreintes"),
    ]

    operations = [
        migrations.RunPython(remplir, migrations.RunPython.noop, elidable=True),
    ]
