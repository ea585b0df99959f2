"""Chiffre les secrets de double authentification écrits en clair avant evalpic.adaptateur_mfa :
la clé TOTP, la graine des codes de récupération et les codes repris d'ailleurs. Le retour
arrière les remet en clair (le code d'avant ne saurait pas les lire)."""

from django.db import migrations

from evalpic.adaptateur_mfa import chiffrer, dechiffrer


def _transformer(apps, transformation) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authentificateur in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]):
        donnees = dict(authentificateur.data)
        for cle in ("secret", "seed"):
            if isinstance(donnees.get(cle), str):
                donnees[cle] = transformation(donnees[cle])
        if isinstance(donnees.get("migrated_codes"), list):
            donnees["migrated_codes"] = [transformation(c) for c in donnees["migrated_codes"]]
        if donnees != authentificateur.data:
            authentificateur.data = donnees
            authentificateur.save(update_fields=["data"])


def chiffrer_les_secrets(apps, schema_editor) -> None:
    _transformer(apps, chiffrer)


def dechiffrer_les_secrets(apps, schema_editor) -> None:
    _transformer(apps, dechiffrer)


class Migration(migrations.Migration):
    dependencies = [
        ("quartiers", "0005_courriel_unique_insensible_casse"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(chiffrer_les_secrets, dechiffrer_les_secrets)]
