"""« En bref » : les constats d'un bilan, calculés à partir de l'instantané seul. Chaque constat
garde les chiffres dont il est tiré, pour qu'on puisse le vérifier.

Ils reprennent ceux du bilan fondateur d'ÉvalPIC : des partenaires plus nombreux et plus
diversifiés, plus d'actions de participation citoyenne, plus d'acteurs d'influence joints, et
les indicateurs qui ont bougé."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from evalpic.nombres import nombre as nombre_localise
from rapports.instantane import Intervalle
from rapports.series import Statut
from rapports.statuts import a_un_statut, libelle_trimestre


@dataclass(frozen=True)
class Constat:
    cle: str
    texte: str
    chiffres: dict = field(default_factory=dict)


def _nombre(texte: str | None) -> Decimal:
    return Decimal(texte) if texte is not None else Decimal(0)


def _affiche(nombre: Decimal | str | None) -> str:
    """Un chiffre du constat écrit dans la langue active, celle du bilan (« 2,035 » en français,
    « 2.035 » en anglais); les chiffres gardés avec le constat restent ceux de l'instantané."""
    return nombre_localise(_nombre(nombre) if isinstance(nombre, str | None) else nombre)


def _sens(avant: Decimal, apres: Decimal, plus: str, moins: str, stable: str) -> str:
    if apres > avant:
        return plus
    if apres < avant:
        return moins
    return stable


def _registre(instantane: dict) -> tuple[dict, dict] | None:
    """Le registre de départ et de fin, chacun avec le libellé de sa fenêtre dans la langue
    active (`_fenetre_nommee`). L'instantané le mesure pour la portée du bilan
    (`rapports.instantane`). Un instantané du format 1, stocké avant, le gardait par quartier,
    sur toute la première année et sur la période du bilan : celui d'un quartier se lit avec ces
    fenêtres-là, nommées; ceux du PIC, qu'on ne peut pas réunir sans compter deux fois un
    partenaire ou un secteur partagé, sont laissés de côté."""
    if instantane.get("format", 1) >= 2:
        registre = instantane["registre"]
        if not registre:
            return None
        return (
            _fenetre_nommee(instantane, registre["depart"]),
            _fenetre_nommee(instantane, registre["fin"]),
        )
    if instantane["portee"] != "quartier":
        return None
    registre, periode = instantane["quartiers"][0]["registre"], instantane["periode"]
    if not registre.get("depart") or int(registre["depart"]["date"][:4]) >= periode["annee"]:
        return None  # rien d'antérieur au bilan à quoi comparer
    fin = str(periode["annee"])
    if periode.get("trimestre"):
        fin = periode["libelle"]
        if dans_une_autre_langue(instantane):
            fin = libelle_trimestre(f"{periode['annee']}-T{periode['trimestre']}")
    return (
        {**registre["depart"], "libelle": registre["depart"]["date"][:4]},
        {**registre["fin"], "libelle": fin},
    )


def dans_une_autre_langue(instantane: dict) -> bool:
    """Vrai quand on lit le bilan dans une autre langue que la sienne (la page de comparaison
    suit la langue de la personne) : ses libellés et ses noms figés ne s'y lisent pas tels
    quels. Un instantané sans langue se lit dans la langue active."""
    active = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return instantane.get("langue", active) != active


def _fenetre_nommee(instantane: dict, mesures: dict) -> dict:
    """Les mesures d'une fenêtre du registre, nommées dans la langue active. Le libellé figé
    est dans la langue du bilan : le bilan lu dans sa langue (sa page, ses fichiers) le garde tel
    quel; dans l'autre, il se refait à partir des bornes de la fenêtre, par la règle qui l'a
    écrit (`Intervalle.libelle`) : « Q1 2016 » dans une page anglaise, « T1 2016 » en français."""
    if not dans_une_autre_langue(instantane) or not mesures.get("debut") or not mesures.get("fin"):
        return mesures
    debut = datetime.date.fromisoformat(mesures["debut"])
    fin = datetime.date.fromisoformat(mesures["fin"])
    intervalle = Intervalle(debut.year, (debut.month + 2) // 3, (fin.month + 2) // 3)
    return {**mesures, "libelle": intervalle.libelle}


def constats(instantane: dict) -> list[Constat]:
    """Les constats « En bref » d'un bilan (quartier ou PIC)."""
    resultat = []
    registre = _registre(instantane)
    if registre:
        depart, fin = registre
        resultat += [
            _partenaires(depart, fin),
            _participation(depart, fin),
            _influence(depart, fin, une_table=instantane["portee"] == "quartier"),
        ]
    resultat.append(_indicateurs(instantane))
    return resultat


def _signe(avant: Decimal, apres: Decimal) -> int:
    return (apres > avant) - (apres < avant)


def _diversite(depart: dict, fin: dict) -> str:
    """Plus, moins ou aussi diversifiés, d'après les deux chiffres que cite le constat : d'abord
    le nombre de secteurs; à nombre égal, l'indice de Shannon (la répartition des partenaires
    entre les secteurs) départage. Quand l'indice va contre le nombre de secteurs, ou qu'il
    décide seul, la phrase le dit."""
    secteurs = _signe(_nombre(depart["secteurs_distincts"]), _nombre(fin["secteurs_distincts"]))
    shannon = _signe(_nombre(depart["diversite_shannon"]), _nombre(fin["diversite_shannon"]))
    if secteurs > 0:
        if shannon < 0:
            return _(
                "plus diversifiés par le nombre de secteurs, mais moins bien répartis entre eux"
            )
        return _("plus diversifiés")
    if secteurs < 0:
        if shannon > 0:
            return _("moins diversifiés par le nombre de secteurs, mais mieux répartis entre eux")
        return _("moins diversifiés")
    if shannon > 0:
        return _("plus diversifiés, car mieux répartis entre autant de secteurs")
    if shannon < 0:
        return _("moins diversifiés, car moins bien répartis entre autant de secteurs")
    return _("aussi diversifiés")


def _partenaires(depart: dict, fin: dict) -> Constat:
    avant, apres = _nombre(depart["partenaires_actifs"]), _nombre(fin["partenaires_actifs"])
    s_avant, s_apres = _nombre(depart["secteurs_distincts"]), _nombre(fin["secteurs_distincts"])
    nombre = _sens(avant, apres, _("plus nombreux"), _("moins nombreux"), _("aussi nombreux"))
    texte = ngettext(
        "Les partenaires mobilisés sont %(nombre)s (de %(avant)s en %(depart)s à %(apres)s en "
        "%(fin)s) et %(diversite)s (de %(s_avant)s à %(s_apres)s secteur; indice de Shannon de "
        "%(h_avant)s à %(h_apres)s).",
        "Les partenaires mobilisés sont %(nombre)s (de %(avant)s en %(depart)s à %(apres)s en "
        "%(fin)s) et %(diversite)s (de %(s_avant)s à %(s_apres)s secteurs; indice de Shannon de "
        "%(h_avant)s à %(h_apres)s).",
        int(s_apres),
    ) % {
        "nombre": nombre,
        "avant": _affiche(avant),
        "depart": depart["libelle"],
        "apres": _affiche(apres),
        "fin": fin["libelle"],
        "diversite": _diversite(depart, fin),
        "s_avant": _affiche(s_avant),
        "s_apres": _affiche(s_apres),
        "h_avant": _affiche(depart["diversite_shannon"]),
        "h_apres": _affiche(fin["diversite_shannon"]),
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
        "depart": depart["libelle"],
        "fin": fin["libelle"],
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
            "On compte %(sens)s d'actions concrètes de participation citoyenne : %(apres)s en "
            "%(fin)s, contre %(avant)s en %(depart)s."
        ),
    )


def _influence(depart: dict, fin: dict, *, une_table: bool) -> Constat:
    """Le bilan d'un quartier parle de sa table, celui du PIC de toutes les tables; le nom suit
    le nombre de partenaires d'influence à la fin (« 1 partenaire d'influence actif »)."""
    apres = int(_nombre(fin["acteurs_influence"]))
    if une_table:
        phrase = ngettext(
            "La table a %(sens)s à des acteurs d'influence (bailleurs, chercheurs, "
            "décideurs) : %(apres)s partenaire d'influence actif en %(fin)s, contre %(avant)s "
            "en %(depart)s.",
            "La table a %(sens)s à des acteurs d'influence (bailleurs, chercheurs, "
            "décideurs) : %(apres)s partenaires d'influence actifs en %(fin)s, contre %(avant)s "
            "en %(depart)s.",
            apres,
        )
    else:
        phrase = ngettext(
            "Les tables ont %(sens)s à des acteurs d'influence (bailleurs, chercheurs, "
            "décideurs) : %(apres)s partenaire d'influence actif en %(fin)s, contre %(avant)s "
            "en %(depart)s.",
            "Les tables ont %(sens)s à des acteurs d'influence (bailleurs, chercheurs, "
            "décideurs) : %(apres)s partenaires d'influence actifs en %(fin)s, contre %(avant)s "
            "en %(depart)s.",
            apres,
        )
    return _evolution(
        "influence",
        "acteurs_influence",
        depart,
        fin,
        (_("davantage accès"), _("moins accès"), _("autant accès")),
        phrase,
    )


def _indicateurs(instantane: dict) -> Constat:
    """Les indicateurs suivis par statut; ceux qui n'en ont pas (en texte, `a_un_statut`) sont
    comptés dans le total et nommés à part : les parties de la phrase font le total."""
    unites = {code: i["unite"] for code, i in instantane["indicateurs"].items()}
    series = [s for q in instantane["quartiers"] for s in q["series"]]
    statuts = [s["statut"] for s in series if a_un_statut(unites.get(s["code"], ""))]
    textes = len(series) - len(statuts)
    comptes = {s.value: statuts.count(s.value) for s in Statut}
    texte = _phrase_des_statuts(len(series), comptes, textes)
    return Constat("indicateurs", texte, {"total": len(series), **comptes, "textes": textes})


def _phrase_des_statuts(total: int, comptes: dict[str, int], textes: int) -> str:
    """« Sur 13 indicateurs suivis, 3 ont atteint leur cible, 7 sont en bonne voie, 1 est à
    surveiller, 1 n'a pas encore de données et 1 indicateur en texte n'a pas de statut. » :
    chaque partie s'accorde à son nombre; celle des textes n'est dite que s'il y en a."""
    statuts = ("atteint", "en_bonne_voie", "a_surveiller", "sans_donnees")
    parties = [
        ngettext("%(n)s a atteint sa cible", "%(n)s ont atteint leur cible", comptes["atteint"]),
        ngettext("%(n)s est en bonne voie", "%(n)s sont en bonne voie", comptes["en_bonne_voie"]),
        ngettext("%(n)s est à surveiller", "%(n)s sont à surveiller", comptes["a_surveiller"]),
        ngettext(
            "%(n)s n'a pas encore de données",
            "%(n)s n'ont pas encore de données",
            comptes["sans_donnees"],
        ),
    ]
    parties = [
        partie % {"n": comptes[statut]} for partie, statut in zip(parties, statuts, strict=True)
    ]
    if textes:
        parties.append(
            ngettext(
                "%(n)s indicateur en texte n'a pas de statut",
                "%(n)s indicateurs en texte n'ont pas de statut",
                textes,
            )
            % {"n": textes}
        )
    liste = _("%(debut)s et %(dernier)s") % {
        "debut": ", ".join(parties[:-1]),
        "dernier": parties[-1],
    }
    return ngettext(
        "Sur %(total)s indicateur suivi, %(liste)s.",
        "Sur %(total)s indicateurs suivis, %(liste)s.",
        total,
    ) % {"total": total, "liste": liste}


def _en_texte(chiffres: dict) -> dict:
    """Les chiffres en texte décimal, pour les garder tels quels dans le JSON."""
    return {
        cle: _en_texte(valeur) if isinstance(valeur, dict) else str(valeur)
        for cle, valeur in chiffres.items()
    }
