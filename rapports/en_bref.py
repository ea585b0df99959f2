"""« En bref » : les constats d'un bilan, calculés à partir de l'instantané seul. Chaque constat
garde les chiffres dont il est tiré (`chiffres`) et les nomme (`mesures` : la mesure, la période
et la valeur de départ, la période et la valeur de fin), que la feuille « En bref » du classeur
reprend (`rapports.exports`) : chaque nombre cité se retrouve.

Ils reprennent ceux du bilan fondateur d'ÉvalPIC : des partenaires plus nombreux et plus
diversifiés, plus d'actions de participation citoyenne, plus d'acteurs d'influence, et les
indicateurs qui ont bougé. Ceux du registre comparent la fin de la période du bilan à la
même fenêtre au début du registre (« depuis le début du registre (T2 2016) ») : une date qui
peut être bien avant la fenêtre des courbes, et une comparaison qui n'est pas celle de la valeur
de référence d'un indicateur; la phrase le dit. Chaque fenêtre compte ce qui y a été actif à un
moment (« 14 actives au cours de 2025 ») : sur une année, plus que le dernier trimestre de la
courbe de la même mesure (13 au T4 2025); la phrase nomme donc sa fenêtre, celle du tableau des
chiffres (`mesures`). Pour le PIC, à quartiers égaux : un quartier dont le registre commence
après ce départ n'est compté ni au départ ni à la fin, et un constat le nomme (`_perimetre`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from evalpic.nombres import nombre as nombre_localise
from indicateurs.models import Calcul
from indicateurs.periodes import trimestre_de
from rapports.instantane import Intervalle
from rapports.series import Statut
from rapports.statuts import a_un_statut, libelle_trimestre


class Mesure(NamedTuple):
    """Un nombre qu'un constat cite, nommé : la mesure (`code` : la clé du registre, ou
    « statut:atteint »…), sa période et sa valeur de départ (vides quand le constat ne compare
    pas), sa période et sa valeur de fin. Les valeurs sont les textes décimaux de l'instantané."""

    code: str
    libelle: str
    periode_depart: str
    valeur_depart: str | None
    periode_fin: str
    valeur_fin: str | None


@dataclass(frozen=True)
class Constat:
    cle: str
    texte: str
    chiffres: dict = field(default_factory=dict)
    mesures: tuple[Mesure, ...] = ()


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
    intervalle = Intervalle(debut.year, trimestre_de(debut)[1], trimestre_de(fin)[1])
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
        if perimetre := _perimetre(instantane, depart, fin):
            resultat.append(perimetre)
    resultat.append(_indicateurs(instantane))
    return resultat


def _perimetre(instantane: dict, depart: dict, fin: dict) -> Constat | None:
    """Quels quartiers les constats du registre comparent, quand ce ne sont pas tous ceux du
    bilan : un quartier dont le registre commence après la fenêtre de départ n'est compté ni au
    départ ni à la fin (`instantane._registre`, depuis evalpic-bilan-1.6), et la phrase le
    nomme avec le début de son registre. Rien pour un bilan d'un quartier, ni quand tous les
    registres couvrent le départ, ni pour un instantané d'avant (qui comptait zéro)."""
    registre = instantane.get("registre") or {}
    sans = registre.get("sans") if instantane.get("format", 1) >= 2 else None
    if not sans:
        return None
    compares = int(registre["quartiers"])
    texte = ngettext(
        "À quartiers égaux, les constats du registre comptent le seul quartier dont le registre "
        "couvre déjà %(depart)s, en %(depart)s comme en %(fin)s.",
        "À quartiers égaux, les constats du registre comptent les %(n)s quartiers dont le "
        "registre couvre déjà %(depart)s, en %(depart)s comme en %(fin)s.",
        compares,
    ) % {"n": compares, "depart": depart["libelle"], "fin": fin["libelle"]}
    noms = [
        _("%(quartier)s (registre commencé en %(debut)s)")
        % {"quartier": q["nom"], "debut": _trimestre_du_jour(q["debut"])}
        for q in sans
    ]
    liste = _enumerer(noms)
    texte += " " + ngettext(
        "%(quartiers)s n'y est pas compté.",
        "%(quartiers)s n'y sont pas comptés.",
        len(noms),
    ) % {"quartiers": liste}
    mesure = Mesure(
        "quartiers_compares",
        _("Quartiers comparés"),
        depart["libelle"],
        str(compares),
        fin["libelle"],
        str(compares),
    )
    chiffres = {"quartiers": str(compares), "sans": [dict(q) for q in sans]}
    return Constat("perimetre", texte, chiffres, (mesure,))


def _trimestre_du_jour(jour: str) -> str:
    """Le libellé du trimestre d'une date ISO (« 2018-04-12 » → « T2 2018 »)."""
    annee, trimestre = trimestre_de(datetime.date.fromisoformat(jour))
    return libelle_trimestre(f"{annee}-T{trimestre}")


def _enumerer(parties: list[str]) -> str:
    """« A », « A et B », « A, B et C »."""
    if len(parties) == 1:
        return parties[0]
    return _("%(debut)s et %(dernier)s") % {
        "debut": ", ".join(parties[:-1]),
        "dernier": parties[-1],
    }


def _libelle_du_registre(cle: str) -> str:
    """Le nom d'une mesure du registre dans « En bref » : celui du calcul (`Calcul`), sauf les
    acteurs d'influence, nommés comme le bilan fondateur et comme la phrase de leur constat
    (« acteurs d'influence », pas « acteurs d'influence joints »)."""
    if cle == Calcul.ACTEURS_INFLUENCE:
        return _("Acteurs d'influence")
    return capfirst(str(Calcul(cle).label))


def _mesure_du_registre(cle: str, depart: dict, fin: dict) -> Mesure:
    """Une mesure du registre citée par un constat, nommée comme l'indicateur calculé qui la
    suit (`_libelle_du_registre`), au départ et à la fin."""
    return Mesure(
        cle,
        _libelle_du_registre(cle),
        depart["libelle"],
        _texte_exact(depart.get(cle)),
        fin["libelle"],
        _texte_exact(fin.get(cle)),
    )


def _texte_exact(valeur) -> str | None:
    return None if valeur is None else str(valeur)


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
        "Depuis le début du registre (%(depart)s), les partenaires mobilisés sont %(nombre)s "
        "(de %(avant)s au cours de %(depart)s à %(apres)s au cours de %(fin)s) et "
        "%(diversite)s (de %(s_avant)s à %(s_apres)s secteur; indice de Shannon de %(h_avant)s "
        "à %(h_apres)s).",
        "Depuis le début du registre (%(depart)s), les partenaires mobilisés sont %(nombre)s "
        "(de %(avant)s au cours de %(depart)s à %(apres)s au cours de %(fin)s) et "
        "%(diversite)s (de %(s_avant)s à %(s_apres)s secteurs; indice de Shannon de "
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
    mesures = tuple(
        _mesure_du_registre(cle, depart, fin)
        for cle in (Calcul.PARTENAIRES_ACTIFS, Calcul.SECTEURS_DISTINCTS, Calcul.DIVERSITE_SHANNON)
    )
    return Constat("partenaires", texte, _en_texte(chiffres), mesures)


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
    chiffres = _en_texte({"avant": avant, "apres": apres})
    return Constat(cle, texte, chiffres, (_mesure_du_registre(mesure, depart, fin),))


def _participation(depart: dict, fin: dict) -> Constat:
    """Les actions actives à un moment de chaque fenêtre, que la phrase nomme (« 14 actives au
    cours de 2025 ») : sur une année, plus que le dernier trimestre de leur courbe."""
    return _evolution(
        "participation",
        "actions_participation",
        depart,
        fin,
        (_("plus"), _("moins"), _("autant")),
        ngettext(
            "Depuis le début du registre (%(depart)s), on compte %(sens)s d'actions concrètes "
            "de participation citoyenne : %(apres)s active au cours de %(fin)s, contre "
            "%(avant)s au cours de %(depart)s.",
            "Depuis le début du registre (%(depart)s), on compte %(sens)s d'actions concrètes "
            "de participation citoyenne : %(apres)s actives au cours de %(fin)s, contre "
            "%(avant)s au cours de %(depart)s.",
            int(_nombre(fin["actions_participation"])),
        ),
    )


def _influence(depart: dict, fin: dict, *, une_table: bool) -> Constat:
    """Ce que compte le registre, et rien de plus : le nombre d'acteurs d'influence actifs à la
    table (aux tables, pour le PIC), au départ et à la fin. Pas de jugement (« davantage
    accès ») qui contredirait le statut de l'indicateur calculé, lu, lui, par rapport à sa
    référence et à sa cible (« à surveiller » avec un compte en hausse)."""
    if une_table:
        phrase = _(
            "Depuis le début du registre (%(depart)s), le nombre d'acteurs d'influence "
            "(bailleurs, chercheurs, décideurs) actifs à la table %(sens)s : %(apres)s au cours "
            "de %(fin)s, contre %(avant)s au cours de %(depart)s."
        )
    else:
        phrase = _(
            "Depuis le début du registre (%(depart)s), le nombre d'acteurs d'influence "
            "(bailleurs, chercheurs, décideurs) actifs aux tables %(sens)s : %(apres)s au cours "
            "de %(fin)s, contre %(avant)s au cours de %(depart)s."
        )
    return _evolution(
        "influence",
        "acteurs_influence",
        depart,
        fin,
        (_("a augmenté"), _("a diminué"), _("est resté le même")),
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
    fin = capfirst(instantane.get("periode", {}).get("libelle", ""))
    mesures = (
        Mesure("total", _("Indicateurs suivis"), "", None, fin, str(len(series))),
        *(
            Mesure(
                f"statut:{s.value}",
                _("Indicateurs « %(statut)s »") % {"statut": s.label},
                "",
                None,
                fin,
                str(comptes[s.value]),
            )
            for s in Statut
        ),
        Mesure("textes", _("Indicateurs en texte, sans statut"), "", None, fin, str(textes)),
    )
    chiffres = {"total": len(series), **comptes, "textes": textes}
    return Constat("indicateurs", texte, chiffres, mesures)


def _phrase_des_statuts(total: int, comptes: dict[str, int], textes: int) -> str:
    """« Sur 13 indicateurs suivis, 3 ont atteint leur cible, 8 sont en bonne voie, 1 est à
    surveiller et 1 indicateur en texte n'a pas de statut. » : chaque partie s'accorde à son
    nombre, et une partie qui compte zéro n'est pas dite (« 0 n'a pas encore de données ») :
    les parties dites font le total."""
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
    statuts = ("atteint", "en_bonne_voie", "a_surveiller", "sans_donnees")
    parties = [
        partie % {"n": comptes[statut]}
        for partie, statut in zip(parties, statuts, strict=True)
        if comptes[statut]
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
    if not parties:
        return _("Aucun indicateur suivi.")
    liste = _enumerer(parties)
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
