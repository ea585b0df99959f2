"""« En bref » : les constats d'un bilan, calculés à partir de l'instantané seul. Chaque constat
garde les chiffres dont il est tiré, pour qu'on puisse le vérifier.

Ils reprennent ceux du bilan fondateur d'ÉvalPIC : des partenaires plus nombreux et plus
diversifiés, plus d'actions de participation citoyenne, plus d'acteurs d'influence joints, et
les indicateurs qui ont bougé."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from rapports.series import Statut


@dataclass(frozen=True)
class Constat:
    cle: str
    texte: str
    chiffres: dict = field(default_factory=dict)


def _nombre(texte: str | None) -> Decimal:
    return Decimal(texte) if texte is not None else Decimal(0)


def _affiche(nombre: Decimal) -> str:
    return format(nombre.normalize(), "f") if nombre != nombre.to_integral() else str(int(nombre))


def _sens(avant: Decimal, apres: Decimal, plus: str, moins: str, stable: str) -> str:
    if apres > avant:
        return plus
    if apres < avant:
        return moins
    return stable


def _registre_total(quartiers: list[dict]) -> tuple[dict, dict] | None:
    """Le registre de départ et de fin, additionné sur les quartiers (bilan du PIC)."""
    avec = [q["registre"] for q in quartiers if q["registre"].get("depart")]
    if not avec:
        return None
    cles = (
        "partenaires_actifs",
        "secteurs_distincts",
        "acteurs_influence",
        "actions_participation",
    )
    somme = {
        moment: {c: sum(_nombre(r[moment][c]) for r in avec) for c in cles}
        for moment in ("depart", "fin")
    }
    # La diversité ne s'additionne pas : on garde la moyenne des quartiers.
    for moment in ("depart", "fin"):
        valeurs = [_nombre(r[moment]["diversite_shannon"]) for r in avec]
        somme[moment]["diversite_shannon"] = (sum(valeurs) / len(valeurs)).quantize(
            Decimal("0.001")
        )
        somme[moment]["date"] = min(r[moment]["date"] for r in avec)
    return somme["depart"], somme["fin"]


def constats(instantane: dict) -> list[Constat]:
    """Les constats « En bref » d'un bilan (quartier ou PIC)."""
    quartiers = instantane["quartiers"]
    resultat = []
    registre = _registre_total(quartiers)
    if registre:
        depart, fin = registre
        resultat += [
            _partenaires(depart, fin),
            _participation(depart, fin),
            _influence(depart, fin),
        ]
    resultat.append(_indicateurs(quartiers))
    return resultat


def _partenaires(depart: dict, fin: dict) -> Constat:
    avant, apres = _nombre(depart["partenaires_actifs"]), _nombre(fin["partenaires_actifs"])
    s_avant, s_apres = _nombre(depart["secteurs_distincts"]), _nombre(fin["secteurs_distincts"])
    nombre = _sens(avant, apres, _("plus nombreux"), _("moins nombreux"), _("aussi nombreux"))
    diversite = _sens(
        s_avant, s_apres, _("plus diversifiés"), _("moins diversifiés"), _("aussi diversifiés")
    )
    texte = _(
        "Les partenaires mobilisés sont %(nombre)s (de %(avant)s en %(annee)s à %(apres)s) "
        "et %(diversite)s (de %(s_avant)s à %(s_apres)s secteurs; indice de Shannon de "
        "%(h_avant)s à %(h_apres)s)."
    ) % {
        "nombre": nombre,
        "avant": _affiche(avant),
        "annee": depart["date"][:4],
        "apres": _affiche(apres),
        "diversite": diversite,
        "s_avant": _affiche(s_avant),
        "s_apres": _affiche(s_apres),
        "h_avant": depart["diversite_shannon"],
        "h_apres": fin["diversite_shannon"],
    }
    chiffres = {"depart": depart, "fin": fin}
    return Constat("partenaires", texte, _en_texte(chiffres))


def _evolution(cle: str, mesure: str, depart: dict, fin: dict, sens: tuple, phrase: str) -> Constat:
    """Un constat « avant / après » sur une mesure du registre : `sens` donne les mots de la
    hausse, de la baisse et de la stabilité; `phrase`, le gabarit traduit."""
    avant, apres = _nombre(depart[mesure]), _nombre(fin[mesure])
    texte = phrase % {
        "sens": _sens(avant, apres, *sens),
        "apres": _affiche(apres),
        "avant": _affiche(avant),
        "annee": depart["date"][:4],
    }
    return Constat(cle, texte, _en_texte({"avant": avant, "apres": apres}))


def _participation(depart: dict, fin: dict) -> Constat:
    return _evolution(
        "participation",
        "actions_participation",
        depart,
        fin,
        (_("plus"), _("moins"), _("autant")),
        _(
            "On compte %(sens)s d'actions concrètes de participation citoyenne : %(apres)s "
            "pendant la période, contre %(avant)s en %(annee)s."
        ),
    )


def _influence(depart: dict, fin: dict) -> Constat:
    return _evolution(
        "influence",
        "acteurs_influence",
        depart,
        fin,
        (_("davantage accès"), _("moins accès"), _("autant accès")),
        _(
            "Les tables ont %(sens)s à des acteurs d'influence (bailleurs, chercheurs, "
            "décideurs) : %(apres)s partenaires d'influence actifs, contre %(avant)s en %(annee)s."
        ),
    )


def _indicateurs(quartiers: list[dict]) -> Constat:
    statuts = [s["statut"] for q in quartiers for s in q["series"]]
    comptes = {s.value: statuts.count(s.value) for s in Statut}
    texte = _(
        "Sur %(total)s indicateurs suivis, %(atteint)s ont atteint leur cible, %(en_bonne_voie)s "
        "sont en bonne voie, %(a_surveiller)s sont à surveiller et %(sans_donnees)s n'ont pas "
        "encore de données."
    ) % {"total": len(statuts), **comptes}
    return Constat("indicateurs", texte, {"total": len(statuts), **comptes})


def _en_texte(chiffres: dict) -> dict:
    """Les chiffres en texte décimal, pour les garder tels quels dans le JSON."""
    return {
        cle: _en_texte(valeur) if isinstance(valeur, dict) else str(valeur)
        for cle, valeur in chiffres.items()
    }
