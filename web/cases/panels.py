"""What the case page shows around the data: the step indicator and the
« Ce qu'il faut faire maintenant » panel. Presentation only: which steps a person may take
comes from the workflow table (soutien.cases.workflow) through soutien.cases.policies,
every rule stays in the services. No stage is named here."""

from dataclasses import dataclass

from django.urls import reverse

from soutien.cases import policies, workflow
from soutien.cases.enums import MeetingKind

WAITING_FOR = workflow.WAITING_FOR


def steps_for(case) -> list[dict]:
    """The six steps with their state (done, current, to come) for the step indicator."""
    return workflow.step_states(case)


@dataclass
class NextAction:
    title: str
    text: str
    url: str
    button: str
    post: bool = False  # a direct POST button (a confirmation only) rather than a link
    quote: str = ""  # what the previous step said to this person (a return reason…)
    quote_label: str = ""


@dataclass(frozen=True)
class Entry:
    """How « Ce qu'il faut faire » presents one step of the workflow table."""

    title: str
    text: str
    page: str | None = None  # the URL name of its own page; None: the generic action page
    anchor: str = ""
    button: str = ""  # the link's label when it opens a page; "" : the table's label
    post: bool = False  # a confirmation only: the button performs the step at once


DECISION = Entry(
    "Enregistrer la décision des financeurs",
    "Validée, refusée (avec motifs) ou classée sans suite.",
    page="cases:decision",
    button="Enregistrer la décision",
)
REVIEW = Entry(
    "Relire le rapport de diagnostic",
    "Validez-le (il sera alors lu par les partenaires financeurs) ou demandez des "
    "modifications au consultant.",
    page="cases:review",
    button="Relire le rapport",
)

# One entry per step of the table that « Ce qu'il faut faire » offers, by step name.
# The withdrawal is offered beside the fiche (it is never something to do).
ENTRIES = {
    "submit": Entry(
        "Compléter et transmettre la fiche d'information",
        "Vérifiez la fiche puis transmettez-la à la Caf : c'est elle qui lance la saisine.",
        page="cases:form",
        anchor="?verifier=1",
        button="Ouvrir la fiche",
    ),
    "open_referral": Entry(
        "Vérifier la fiche et ouvrir la saisine",
        "Si la fiche est complète, ouvrez la saisine concertée : les partenaires concernés "
        "sont prévenus. Sinon, renvoyez-la pour complément.",
        post=True,
    ),
    "return_for_completion": Entry(
        "Renvoyer la fiche pour complément",
        "Expliquez au gestionnaire ce qui manque ; tout ce qu'il a saisi est conservé.",
    ),
    "close_without_follow_up": Entry(
        "Classer la demande sans suite",
        "Si la demande ne relève pas de la mission, classez-la sans ouvrir la saisine ; le "
        "gestionnaire est prévenu, avec le motif si vous en donnez un.",
    ),
    "give_opinion": Entry(
        "Donner l'avis de votre institution",
        "Favorable, réservé ou défavorable ; vous pourrez le modifier jusqu'à la décision.",
        page="cases:opinion",
        button="Donner mon avis",
    ),
    "validate": DECISION,
    "refuse": DECISION,
    "assign_consultant": Entry(
        "Désigner le consultant",
        "Choisissez le consultant qui réalisera le diagnostic flash.",
        page="cases:assign",
        button="Désigner",
    ),
    "submit_report": Entry(
        "Rédiger et transmettre le rapport de diagnostic",
        "Consignez entretiens et constats, puis rédigez le rapport et transmettez-le au "
        "gestionnaire.",
        page="cases:report",
        anchor="#rediger",
        button="Rédiger le rapport",
    ),
    "request_changes": REVIEW,
    "validate_report": REVIEW,
    "record_restitution": Entry(
        "Consigner la restitution",
        "Date, personnes présentes et synthèse de la présentation au gestionnaire.",
        page="cases:restitution",
        button="Consigner la restitution",
    ),
    "close": Entry(
        "Clôturer le dossier",
        "Quand l'accompagnement est terminé, indiquez l'issue de la mission.",
        page="cases:close",
        button="Clôturer",
    ),
    "answer_satisfaction": Entry(
        "Répondre au questionnaire de satisfaction",
        "Quatre questions, deux minutes : vos réponses aident à améliorer la mission.",
        page="cases:satisfaction",
        button="Répondre",
    ),
}

# Steps performed on another step's page when the person may take that one: a
# classement sans suite during the saisine is one of the decision's outcomes.
PERFORMED_ON = {"close_without_follow_up": ("validate", DECISION)}


def step_entry(name: str, user, case) -> Entry:
    """The presentation of a step for this person: its own entry, or the entry of the step
    on whose page it is performed."""
    if name in PERFORMED_ON:
        other, entry = PERFORMED_ON[name]
        if policies.can_perform(user, case, other):
            return entry
    return ENTRIES.get(name) or Entry(workflow.RULES[name].label, "")


def performed_elsewhere(name: str, user, case) -> str | None:
    """The page of another step where this person performs `name` (None: its own)."""
    if name in PERFORMED_ON and step_entry(name, user, case) is not ENTRIES.get(name):
        return step_url(name, user, case)
    return None


def step_url(name: str, user, case) -> str:
    """Where this person performs the step `name` of the workflow table on `case`."""
    entry = step_entry(name, user, case)
    if entry.page:
        return reverse(entry.page, args=[case.pk]) + entry.anchor
    return reverse("cases:transition", args=[case.pk, name])


def _quote(name: str, user, case) -> tuple[str, str]:
    """What the step that brought the case here said to the person who must act now: the
    coordination's return reason to the manager, the manager's comments to the consultant."""
    said = {
        "submit": ("return_for_completion", "Message de la coordination"),
        "submit_report": ("request_changes", "Commentaires du gestionnaire"),
    }
    if name not in said:
        return "", ""
    previous, label = said[name]
    event = workflow.arrival_event(case, previous)
    if event is None or not event.comment:
        return "", ""
    return event.comment, label


def next_actions(user, case) -> list[NextAction]:
    """The actions this user may take now, most important first: the steps of the workflow
    table they may take, in the table's order, with the other things to do at the stage."""
    pk = case.pk
    actions = []
    seen = set()

    def add(allowed, title, text, url, button, post=False, quote=("", "")):
        if allowed and url not in seen:
            seen.add(url)
            actions.append(NextAction(title, text, url, button, post, *quote))

    def others(after):
        """The things to do that are not steps of the table, placed after a step."""
        if after == "submit":
            add(
                policies.can_hand_over(user, case) or (
                    policies.can_edit_form(user, case) and not policies.can_submit(user, case)
                ),
                "Préparer la fiche d'information",
                "Vous pouvez remplir la fiche ; seul un administrateur bénévole de "
                "l'association peut la transmettre. Confiez-lui le brouillon quand il est prêt.",
                reverse("cases:form", args=[pk]),
                "Ouvrir la fiche",
            )  # fmt: skip
        elif after == "close_without_follow_up":
            add(
                policies.can_record_referral_meeting(user, case),
                "Réunion de saisine concertée",
                "Planifiez-la (les participants reçoivent l'invitation par courriel) ou "
                "consignez-la après coup ; vue par la coordination et les partenaires.",
                reverse("meetings:meeting_create", args=[pk, MeetingKind.REFERRAL]),
                "Planifier ou consigner la réunion",
            )
        elif after == "submit_report":
            add(
                policies.can_work_on_diagnostic(user, case),
                "Consigner un entretien ou une visite",
                "Date et personnes rencontrées.",
                reverse("meetings:meeting_create", args=[pk, MeetingKind.INTERVIEW]),
                "Consigner un entretien",
            )
        elif after == "record_restitution":
            add(
                policies.can_record_restitution(user, case),
                "Planifier la restitution",
                "Date, lieu ou visioconférence et participants : chacun reçoit l'invitation "
                "par courriel, pour son agenda.",
                reverse("meetings:meeting_create", args=[pk, MeetingKind.RESTITUTION]),
                "Planifier la restitution",
            )
            add(
                policies.can_update_action(user, case),
                "Faire avancer le plan d'actions",
                "Indiquez où en est chaque action ; ce sont vos équipes qui les portent.",
                reverse("cases:detail", args=[pk]) + "#plan-actions",
                "Voir le plan d'actions",
            )
            add(
                policies.can_log_support_session(user, case),
                "Consigner une séance d'accompagnement",
                "Date, personnes présentes, ce qui a été travaillé.",
                reverse("meetings:meeting_create", args=[pk, MeetingKind.SUPPORT_SESSION]),
                "Consigner une séance",
            )

    for step in workflow.STEPS_IN_ORDER:
        name = step.name
        if name in ENTRIES or name in PERFORMED_ON:
            entry = step_entry(name, user, case)
            allowed = policies.can_perform(user, case, name)
            if name == "answer_satisfaction":
                allowed = policies.can_answer_satisfaction(user, case)
            elif name == "assign_consultant":
                # Offered as a thing to do while no consultant is designated; the case page
                # offers to change the consultant afterwards.
                allowed = allowed and case.consultant_id is None
            title, text, button = entry.title, entry.text, entry.button or step.label
            if name == "give_opinion" and policies.speaks_for_the_caf(user, case):
                title = button = "Donner l'avis de la Caf"
                text = (
                    "La Caf est l'un des financeurs consultés : c'est la coordination qui "
                    "donne son avis. " + text
                )
            add(
                allowed,
                title,
                text,
                step_url(name, user, case),
                button,
                post=entry.post,
                quote=_quote(name, user, case) if allowed else ("", ""),
            )
        others(name)
    return actions
