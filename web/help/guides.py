"""« Comment faire ? »: short how-tos per role, in the screens' own words.

Each guide names the buttons and pages exactly as they read on screen, so that a person
can follow it without training. Keep them in step with the screens they describe.
"""

from dataclasses import dataclass

from soutien.directory.models import Role


@dataclass(frozen=True)
class Guide:
    title: str
    steps: tuple[str, ...]


MANAGER = (
    Guide(
        "Demander un soutien",
        (
            "Dans « Mon espace », cliquez sur « Nouvelle demande », choisissez le centre social "
            "puis « Commencer la fiche d'information ».",
            "Remplissez la fiche : la situation (démarche préventive ou crise), les signes "
            "d'alerte, vos attentes. Joignez les documents utiles dans la même page (comptes, "
            "rapport d'activité…) : ils sont enregistrés avec la fiche.",
            "« Enregistrer le brouillon » garde votre travail ; « Enregistrer et transmettre à "
            "la Caf » envoie la demande. La Caf vérifie qu'elle est complète.",
        ),
    ),
    Guide(
        "Compléter une fiche renvoyée par la Caf",
        (
            "« Mon espace » indique la fiche à compléter et ce que la Caf demande.",
            "Ouvrez la fiche, complétez-la, ajoutez les documents demandés, puis « Enregistrer "
            "et transmettre à la Caf ».",
        ),
    ),
    Guide(
        "Ajouter un document après la transmission",
        (
            "Sur la page du dossier, rubrique « Documents », choisissez le fichier et qui "
            "pourra le lire, puis « Joindre ».",
        ),
    ),
    Guide(
        "Relire et valider le rapport de diagnostic",
        (
            "Quand le consultant vous transmet le rapport, « Mon espace » affiche « Relire le "
            "rapport de diagnostic ».",
            "Lisez-le (ou téléchargez-le en PDF), puis « Valider ou demander des "
            "modifications ». Tant que vous ne l'avez pas validé, les partenaires financeurs ne "
            "le lisent pas.",
            "Si vous demandez des modifications, dites lesquelles : le consultant rédige une "
            "nouvelle version, toutes sont conservées.",
        ),
    ),
    Guide(
        "Faire avancer le plan d'actions",
        (
            "Sur la page du dossier, rubrique « Plan d'actions », indiquez où en est chaque "
            "action : ce sont les équipes du centre qui les portent.",
        ),
    ),
)

STAFF = (
    Guide(
        "Préparer la fiche d'information",
        (
            "Vous pouvez remplir la fiche et y joindre des documents ; seul un administrateur "
            "bénévole de l'association peut la transmettre à la Caf.",
            "Quand elle est prête, « Confier le brouillon aux administrateurs » : ils sont "
            "prévenus par courriel.",
        ),
    ),
    Guide(
        "Suivre les actions que vous portez",
        (
            "Sur la page du dossier, rubrique « Plan d'actions », mettez à jour l'état de vos "
            "actions.",
        ),
    ),
)

COORDINATOR = (
    Guide(
        "Vérifier une fiche et ouvrir la saisine",
        (
            "« Mon espace » liste les fiches transmises. Ouvrez le dossier : si la fiche est "
            "complète, « Ouvrir la saisine concertée » ; sinon « Renvoyer pour complément » en "
            "expliquant ce qui manque.",
        ),
    ),
    Guide(
        "Enregistrer la décision des financeurs",
        (
            "Quand les avis sont rendus, « Enregistrer la décision » : validée, ou refusée avec "
            "ses motifs, que le gestionnaire lira.",
        ),
    ),
    Guide(
        "Gérer les demandes de compte",
        (
            "« Gestion du site », puis « Demandes de compte » : acceptez (une invitation part par "
            "courriel) ou refusez en donnant la raison.",
        ),
    ),
    Guide(
        "Modifier un texte du site public ou la foire aux questions",
        (
            "« Gestion du site », puis « Textes du site public » : chaque page s'écrit en Markdown "
            "simple (titres avec ##, listes avec -).",
        ),
    ),
)

PARTNER = (
    Guide(
        "Donner l'avis de votre institution",
        (
            "« Mon espace » liste les saisines qui attendent votre avis. Ouvrez le dossier, "
            "lisez la fiche, puis « Donner mon avis » : favorable, réservé ou défavorable.",
            "Vous pouvez modifier votre avis jusqu'à la décision.",
        ),
    ),
    Guide(
        "Lire le rapport de diagnostic",
        (
            "Le rapport vous est accessible une fois validé par le gestionnaire du centre : "
            "seule la version validée.",
        ),
    ),
)

CONSULTANT = (
    Guide(
        "Consigner un entretien ou une visite",
        ("Sur la page du dossier, « Consigner un entretien » : date et personnes rencontrées.",),
    ),
    Guide(
        "Rédiger et transmettre le rapport",
        (
            "« Rédiger le rapport », puis « Enregistrer et transmettre au gestionnaire ». Le "
            "gestionnaire le lit seul d'abord ; les partenaires ne le lisent qu'après sa "
            "validation.",
        ),
    ),
    Guide(
        "Planifier et consigner la restitution",
        (
            "« Planifier la restitution » envoie les invitations ; après la rencontre, "
            "« Consigner la restitution ».",
        ),
    ),
)

EVALUATOR = (
    Guide(
        "Lire l'évaluation du dispositif",
        (
            "« Évaluation » montre les indicateurs par année ; les chiffres calculés sur moins "
            "de 3 dossiers sont masqués pour protéger la confidentialité des centres.",
            "Les exports (tableur, PDF) reprennent les mêmes chiffres masqués.",
        ),
    ),
)

GUIDES: dict[str, tuple[Guide, ...]] = {
    Role.BOARD_MEMBER: MANAGER,
    Role.FEDERATION_STAFF: MANAGER,
    Role.STAFF: STAFF,
    Role.COORDINATOR: COORDINATOR,
    Role.PARTNER: PARTNER,
    Role.CONSULTANT: CONSULTANT,
    Role.EVALUATOR: EVALUATOR,
}


def guides_for(roles) -> list[tuple[str, tuple[Guide, ...]]]:
    """The guides of each of these roles, once per role, in the order of ``Role``."""
    wanted = set(roles)
    return [(Role(role).label, GUIDES[role]) for role in Role.values if role in wanted]
