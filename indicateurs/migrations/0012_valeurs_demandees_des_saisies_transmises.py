"""Les saisies transmises (soumises ou validées) avant `Valeur.demandee` (0011) reçoivent la
marque que la soumission pose depuis (`services.noter_les_valeurs_demandees`), pour que leur
complétude ne suive plus les suivis du jour (page de complétude, carte de la vue d'ensemble,
bilan) : suivre un nouvel indicateur ne fait plus baisser leurs trimestres.

On ne sait plus ce que le formulaire demandait à leur soumission. La règle retenue : une valeur
est demandée si la table saisit aujourd'hui son indicateur (suivi actif, indicateur saisi et
approuvé : `suivi_a_saisir`), ou si elle est renseignée (un nombre, un texte ou « non
disponible ») — le formulaire ne montre que les indicateurs qu'il demande, et la soumission
exigeait de chacun une valeur ou une absence expliquée. Une ligne vide d'un indicateur que la
table ne saisit plus n'est pas demandée. Ce que la règle ne peut pas savoir :
- une valeur demandée à la soumission puis effacée (par l'administration), d'un indicateur que
  la table ne saisit plus, n'est pas comptée comme demandée (le service l'aurait marquée);
- une valeur renseignée d'un indicateur que le formulaire ne demandait plus à la soumission (un
  reste de brouillon, le suivi rendu inactif avant la soumission) est comptée comme demandée
  (le service l'aurait marquée non demandée);
- une ligne vide d'un indicateur saisi aujourd'hui mais pas à la soumission est comptée comme
  demandée (et manquante).
Les brouillons et les saisies renvoyées restent sans marque : leur prochaine soumission la pose.
Une saisie qui a déjà une marque (soumise depuis 0011) n'est pas touchée, ni une valeur déjà
marquée.

Par lots de saisies (`TAILLE_DU_LOT`, une mise à jour par lot, sans rien charger des valeurs),
hors d'une transaction unique (`atomic = False`) : sur une grosse table, chaque lot est validé à
son tour au lieu de verrouiller toutes les valeurs jusqu'à la fin; interrompue, la migration
reprend où elle s'est arrêtée (une saisie marquée n'est plus choisie). Sans effet une seconde
fois; défaite, elle ne fait rien (les marques restent, la colonne disparaît avec 0011)."""

from django.db import migrations
from django.db.models import Case, Exists, OuterRef, Q, Value, When

TAILLE_DU_LOT = 500  # saisies par mise à jour : quelques dizaines de milliers de valeurs au plus
TRANSMISES = ("soumise", "validee")  # StatutSaisie.SOUMISE, StatutSaisie.VALIDEE


def marquer_les_valeurs_demandees(apps, schema_editor):
    Saisie = apps.get_model("indicateurs", "Saisie")
    Valeur = apps.get_model("indicateurs", "Valeur")
    IndicateurSuivi = apps.get_model("indicateurs", "IndicateurSuivi")
    # `suivi_a_saisir`, écrite ici telle qu'elle est aujourd'hui (une migration ne lit pas le
    # code qui évoluera) : suivi actif d'un indicateur saisi et approuvé, par le quartier de la
    # table de la saisie.
    saisi_aujourd_hui = IndicateurSuivi.objects.filter(
        actif=True,
        indicateur__mode="saisi",
        indicateur__statut="approuve",
        indicateur_id=OuterRef("indicateur_id"),
        quartier__table__saisies=OuterRef("saisie_id"),
    )
    # `valeur_renseignee` : un nombre, un texte, ou une absence expliquée.
    renseignee = Q(non_disponible=True) | Q(valeur_numerique__isnull=False) | ~Q(valeur_texte="")
    demandee = Case(
        When(renseignee | Q(Exists(saisi_aujourd_hui)), then=Value(True)), default=Value(False)
    )
    sans_marque = (
        Saisie.objects.filter(statut__in=TRANSMISES)
        .exclude(valeurs__demandee__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    dernier = 0
    while lot := list(sans_marque.filter(pk__gt=dernier)[:TAILLE_DU_LOT]):
        Valeur.objects.filter(saisie_id__in=lot, demandee__isnull=True).update(demandee=demandee)
        dernier = lot[-1]


class Migration(migrations.Migration):
    atomic = False  # un lot, une transaction (voir plus haut)

    dependencies = [
        ("indicateurs", "0011_valeur_demandee"),
    ]

    operations = [
        migrations.RunPython(
            marquer_les_valeurs_demandees, migrations.RunPython.noop, elidable=True
        ),
    ]
