"""The self-check's default questions, built from the warning signs of the reference data
(soutien/directory/reference.py). Loading is idempotent and respects later edits: a row
that exists (found by its code) is left as the coordination edited it."""

from django.db import transaction

from soutien.directory.models import Domain, WarningSign
from soutien.selfcheck.models import Choice, DomainThreshold, Question

# Default thresholds for every field: « à surveiller » from 2 points, « signes d'alerte »
# from 4. A serious answer weighs 4 (a sign on its own), a worrying one 2, a mild one 1.
DEFAULT_WATCH_FROM = 2
DEFAULT_WARNING_FROM = 4

UNKNOWN = ("ne-sait-pas", "Je ne sais pas", 1)

# (code, domain code, warning sign code or None, question, why it matters, what to do,
#  [(choice code, label, points), ...])
DEFAULT_QUESTIONS = [
    (
        "tresorerie",
        "gestion-financiere",
        "tresorerie-faible",
        "Combien de mois de charges votre trésorerie couvre-t-elle ?",
        "La trésorerie permet de payer les salaires et les fournisseurs en attendant les "
        "subventions, qui arrivent souvent tard dans l'année.",
        "Établissez un plan de trésorerie mois par mois et parlez-en à votre banque et à vos "
        "financeurs avant d'être à découvert : une avance de subvention se demande tôt.",
        [
            ("plus-de-3", "Plus de trois mois", 0),
            ("2-a-3", "Deux à trois mois", 1),
            ("moins-de-2", "Moins de deux mois", 4),
            UNKNOWN,
        ],
    ),
    (
        "deficits",
        "gestion-financiere",
        "deficits-repetes",
        "Combien de vos trois derniers exercices se sont terminés en déficit ?",
        "Un déficit isolé s'absorbe ; des déficits répétés consomment les réserves de "
        "l'association.",
        "Identifiez avec votre expert-comptable les activités qui coûtent plus qu'elles ne "
        "rapportent et préparez un budget de retour à l'équilibre.",
        [("aucun", "Aucun", 0), ("un", "Un", 1), ("deux-ou-plus", "Deux ou trois", 4), UNKNOWN],
    ),
    (
        "fonds-propres",
        "gestion-financiere",
        "fonds-propres-negatifs",
        "Vos fonds propres sont-ils positifs ?",
        "Les fonds propres sont le matelas de l'association : négatifs, ils signifient que "
        "ses dettes dépassent ce qu'elle possède.",
        "Demandez à votre expert-comptable de vous présenter le bilan et discutez au conseil "
        "d'administration d'un plan de reconstitution des fonds propres.",
        [
            ("positifs", "Oui, nettement", 0),
            ("faibles", "Proches de zéro", 2),
            ("negatifs", "Non, ils sont négatifs", 4),
            UNKNOWN,
        ],
    ),
    (
        "retards-paiement",
        "gestion-financiere",
        "retards-sociaux-fiscaux",
        "Avez-vous des retards de paiement des cotisations sociales ou des impôts ?",
        "Les retards auprès de l'Urssaf ou des impôts entraînent des majorations et peuvent "
        "bloquer le versement de subventions.",
        "Prenez contact avec l'Urssaf ou le service des impôts pour demander un échéancier "
        "avant toute relance.",
        [
            ("non", "Non", 0),
            ("regles", "Quelques retards, réglés depuis", 1),
            ("en-cours", "Oui, des retards en cours", 4),
        ],
    ),
    (
        "comptes-approuves",
        "gestion-financiere",
        "comptes-non-approuves",
        "Les comptes du dernier exercice ont-ils été approuvés par l'assemblée générale ?",
        "Les financeurs demandent des comptes approuvés pour verser leurs subventions.",
        "Fixez la date de l'assemblée générale avec votre expert-comptable pour approuver "
        "les comptes dans les six mois qui suivent la clôture.",
        [("oui", "Oui", 0), ("prevue", "Pas encore, l'assemblée est prévue", 1), ("non", "Non", 4)],
    ),
    (
        "subventions",
        "gestion-financiere",
        "perte-subvention",
        "Une subvention importante a-t-elle baissé ou disparu cette année ou l'an dernier ?",
        "Une baisse de financement non anticipée déséquilibre vite le budget.",
        "Rencontrez le financeur concerné pour comprendre sa décision et cherchez avec la "
        "fédération d'autres sources de financement.",
        [("non", "Non", 0), ("baisse", "Oui, une baisse", 2), ("perte", "Oui, une perte", 4)],
    ),
    (
        "direction",
        "ressources-humaines",
        "direction-absente",
        "Le poste de direction est-il pourvu ?",
        "La direction fait le lien entre le conseil d'administration, l'équipe et les "
        "partenaires : son absence fragilise tout le centre.",
        "Organisez l'intérim avec le conseil d'administration et la fédération, et lancez le "
        "recrutement sans attendre.",
        [
            ("oui", "Oui, depuis plus d'un an", 0),
            ("recent", "Oui, depuis moins d'un an", 1),
            ("vacant", "Non, le poste est vacant ou la direction est absente", 4),
        ],
    ),
    (
        "departs",
        "ressources-humaines",
        "turn-over",
        "Combien de salariés permanents ont quitté le centre au cours des douze derniers mois ?",
        "Des départs nombreux font perdre des compétences et le lien avec les habitants.",
        "Faites le point avec l'équipe sur les raisons des départs (entretiens de départ, "
        "conditions de travail).",
        [
            ("peu", "Aucun ou un seul", 0),
            ("quelques", "Quelques-uns", 1),
            ("beaucoup", "Plus d'un quart de l'équipe", 4),
        ],
    ),
    (
        "conflit-social",
        "ressources-humaines",
        "conflit-social",
        "Y a-t-il un conflit avec des salariés ?",
        "Un conflit durable épuise l'équipe et la direction, et peut aller jusqu'aux prud'hommes.",
        "Rétablissez le dialogue avec les représentants du personnel ; la fédération ou un "
        "médiateur peuvent vous y aider.",
        [
            ("non", "Non", 0),
            ("tensions", "Des tensions", 2),
            ("conflit", "Oui, un conflit ouvert (prud'hommes, grève, inspection du travail)", 4),
        ],
    ),
    (
        "absences",
        "ressources-humaines",
        None,
        "Les arrêts de travail longs se multiplient-ils dans l'équipe ?",
        "Des absences longues et nombreuses signalent souvent une surcharge ou un malaise.",
        "Parlez-en avec la médecine du travail et faites le point sur la charge de travail.",
        [("non", "Non", 0), ("un-peu", "Un peu", 1), ("oui", "Oui, nettement", 2)],
    ),
    (
        "demissions",
        "gouvernance",
        "demissions-ca",
        "Des administrateurs ont-ils démissionné au cours des douze derniers mois ?",
        "Des démissions en série laissent le conseil d'administration sans forces et "
        "révèlent parfois un désaccord.",
        "Cherchez à comprendre les raisons des départs et préparez l'accueil de nouveaux "
        "bénévoles avec la fédération.",
        [
            ("non", "Non", 0),
            ("un-ou-deux", "Un ou deux", 1),
            ("plusieurs", "Plusieurs, dont des membres du bureau", 4),
        ],
    ),
    (
        "assemblee-generale",
        "gouvernance",
        "ag-non-tenue",
        "L'assemblée générale s'est-elle tenue au cours de l'année écoulée ?",
        "L'assemblée générale approuve les comptes et élit le conseil : sans elle, "
        "l'association ne fonctionne plus selon ses statuts.",
        "Convoquez l'assemblée générale selon vos statuts ; la fédération peut vous aider "
        "à la préparer.",
        [("oui", "Oui", 0), ("en-retard", "Oui, mais en retard", 1), ("non", "Non", 4)],
    ),
    (
        "relations-ca-direction",
        "gouvernance",
        "conflit-ca-direction",
        "Comment décririez-vous les relations entre le conseil d'administration et la direction ?",
        "Le centre avance quand le conseil décide et la direction met en œuvre, en confiance.",
        "Clarifiez par écrit qui décide de quoi (délégations) et prévoyez des rencontres "
        "régulières entre le bureau et la direction.",
        [
            ("confiance", "Confiantes", 0),
            ("tendues", "Tendues", 2),
            ("conflit", "Conflictuelles", 4),
        ],
    ),
    (
        "reunions-ca",
        "gouvernance",
        None,
        "Le conseil d'administration se réunit-il régulièrement ?",
        "Un conseil qui se réunit peu ne peut pas suivre la situation du centre.",
        "Fixez un calendrier de réunions pour l'année et un tableau de bord simple à suivre "
        "à chaque séance.",
        [
            ("oui", "Oui, plusieurs fois par an", 0),
            ("rarement", "Rarement", 1),
            ("jamais", "Presque jamais", 2),
        ],
    ),
    (
        "renouvellement-benevoles",
        "gouvernance",
        None,
        "Trouvez-vous des bénévoles pour renouveler le conseil d'administration ?",
        "Sans renouvellement, quelques personnes portent tout et s'épuisent.",
        "Invitez les habitants et les usagers à découvrir le conseil ; la fédération propose "
        "des formations pour les nouveaux administrateurs.",
        [("oui", "Oui", 0), ("difficilement", "Difficilement", 1), ("non", "Non", 2)],
    ),
    (
        "agrement",
        "ingenierie-de-projets",
        "agrement-menace",
        "Où en est votre agrément de la Caf ?",
        "L'agrément de la Caf ouvre droit à ses financements : sans agrément, le centre perd "
        "une part essentielle de ses ressources.",
        "Notez la date d'échéance et préparez le renouvellement avec votre conseiller de la "
        "Caf au moins un an avant.",
        [
            ("valide", "Valable plus d'un an", 0),
            ("echeance-proche", "Il arrive à échéance dans moins d'un an", 1),
            ("menace", "Il est expiré ou son renouvellement est incertain", 4),
            UNKNOWN,
        ],
    ),
    (
        "projet-social",
        "ingenierie-de-projets",
        "projet-social-obsolete",
        "Votre projet social est-il à jour ?",
        "Le projet social dit ce que le centre fait et pour qui ; la Caf l'examine pour "
        "renouveler l'agrément.",
        "Associez les habitants, l'équipe et les partenaires à son actualisation.",
        [
            ("oui", "Oui", 0),
            ("a-actualiser", "Il est à actualiser", 1),
            ("depasse", "Il est dépassé", 4),
        ],
    ),
    (
        "frequentation",
        "ingenierie-de-projets",
        "frequentation-en-baisse",
        "Comment évolue la fréquentation du centre ?",
        "Une baisse de fréquentation peut signaler que les activités ne répondent plus aux "
        "besoins du quartier.",
        "Allez à la rencontre des habitants pour connaître leurs attentes et revoyez les "
        "activités proposées.",
        [
            ("stable", "Stable ou en hausse", 0),
            ("legere-baisse", "En légère baisse", 1),
            ("forte-baisse", "En forte baisse", 4),
        ],
    ),
    (
        "relations-financeurs",
        "ingenierie-de-projets",
        None,
        "Rencontrez-vous régulièrement vos financeurs (commune, Caf) ?",
        "Des échanges réguliers avec les financeurs permettent d'anticiper leurs décisions.",
        "Proposez une rencontre annuelle de bilan à chacun de vos financeurs.",
        [("oui", "Oui", 0), ("peu", "Peu", 1), ("non", "Non, les relations sont difficiles", 2)],
    ),
    (
        "locaux",
        "ingenierie-de-projets",
        None,
        "Vos locaux permettent-ils d'accueillir le public dans de bonnes conditions ?",
        "Des locaux inadaptés ou dangereux peuvent imposer la fermeture d'activités.",
        "Faites le point avec le propriétaire des locaux, souvent la commune, sur les "
        "travaux nécessaires.",
        [
            ("oui", "Oui", 0),
            ("difficultes", "Avec quelques difficultés", 1),
            ("non", "Non (sécurité, fermeture partielle)", 2),
        ],
    ),
]


@transaction.atomic
def load_selfcheck_defaults() -> None:
    """Create whatever default question, choice or threshold is missing; never overwrite
    an edited one. Needs the reference data (fields and warning signs) loaded first."""
    domains = {domain.code: domain for domain in Domain.objects.all()}
    signs = {sign.code: sign for sign in WarningSign.objects.all()}
    for code in {row[1] for row in DEFAULT_QUESTIONS}:
        if code in domains:
            DomainThreshold.objects.get_or_create(
                domain=domains[code],
                defaults={"watch_from": DEFAULT_WATCH_FROM, "warning_from": DEFAULT_WARNING_FROM},
            )
    for order, (code, domain, sign, text, why, advice, choices) in enumerate(
        DEFAULT_QUESTIONS, start=1
    ):
        if domain not in domains:
            continue
        question, created = Question.objects.get_or_create(
            code=code,
            defaults={
                "domain": domains[domain],
                "warning_sign": signs.get(sign) if sign else None,
                "order": order,
                "text": text,
                "explanation": why,
                "advice": advice,
            },
        )
        if not created:
            continue
        Choice.objects.bulk_create(
            Choice(question=question, code=c, label=label, weight=weight, order=index)
            for index, (c, label, weight) in enumerate(choices, start=1)
        )
