"""Des données propres pour les tests d'intégrité et de sauvegarde : valeurs avec leur
historique, saisies dans le circuit, bilans prêts produits par le vrai service avec des fichiers
factices (la production réelle, kaleido et WeasyPrint, est testée dans tests/rapports)."""

from __future__ import annotations

from unittest import mock

from indicateurs.models import EvenementSaisie, Saisie, TypeEvenement, Valeur
from indicateurs.services import decrire, donnee_de
from quartiers.models import Quartier, RoleGlobal, Utilisateur
from rapports import services as bilans
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import AffectationFactory, construire_quartier

# Des fichiers de bilan factices : la production réelle (kaleido, WeasyPrint) est testée
# ailleurs; ici seules comptent les empreintes prises à l'écriture.
FICHIERS = {
    "html": b"<!doctype html><title>bilan</title>",
    "pdf": b"%PDF-1.7 faux bilan\n%%EOF",
    "xlsx": b"PK\x03\x04 faux classeur",
    "csv": "indicateur;valeur\nbénévoles;12\n".encode(),
}


def historiser() -> None:
    """Donne à chaque valeur sans historique la ligne qu'une vraie saisie aurait écrite
    (`construire_quartier` crée ses valeurs directement)."""
    deja = set(
        EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR).values_list(
            "saisie_id", "indicateur_id"
        )
    )
    EvenementSaisie.objects.bulk_create(
        EvenementSaisie(
            saisie_id=v.saisie_id,
            type_evenement=TypeEvenement.VALEUR,
            indicateur_id=v.indicateur_id,
            nouvelle=decrire(donnee_de(v)),
            version=1,
        )
        for v in Valeur.objects.all()
        if (v.saisie_id, v.indicateur_id) not in deja
    )


def quartier_propre(nom: str = "Villeray", indicateurs: int = 3, trimestres: int = 4) -> Quartier:
    quartier = construire_quartier(nom=nom, indicateurs=indicateurs, trimestres=trimestres)
    Saisie.objects.filter(table=quartier.table).update(
        soumise_le="2024-01-15T10:00Z", validee_le="2024-02-15T10:00Z"
    )
    historiser()
    return quartier


def bilan_pret(quartier: Quartier | None, annee: int = 2023, trimestre: int = 4) -> Bilan:
    """Un bilan produit par le vrai service (instantané, écriture, empreintes), avec des
    fichiers factices."""
    auteur = Utilisateur.objects.filter(role_global=RoleGlobal.EVALUATEUR).first()
    if auteur is None:
        auteur = AffectationFactory(quartier=quartier, role="coordonnateur").utilisateur
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        bilan = bilans.demander_bilan(
            auteur=auteur,
            portee=Portee.QUARTIER,
            quartier=quartier,
            annee=annee,
            trimestre=trimestre,
        )
    with mock.patch("rapports.services.fabriquer_fichiers", return_value=FICHIERS):
        bilan = bilans.generer_bilan(bilan_id=bilan.pk)
    assert bilan.statut == StatutBilan.PRET, bilan.erreur
    return bilan
