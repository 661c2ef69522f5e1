"""What the case page shows around the data: the step indicator and the
« Ce qu'il faut faire maintenant » panel. Presentation only: every permission comes
from soutien.cases.policies, every rule stays in the services."""

from dataclasses import dataclass

from django.urls import reverse

from soutien.cases import policies
from soutien.cases.enums import MeetingKind, Stage

# The six steps of the brochure, and the stages that belong to each. A transmitted fiche
# stays the current step while the coordination checks it: the saisine concertée is
# current only once it is open.
STEPS = [
    ("Fiche d'information", {Stage.DRAFT, Stage.RETURNED, Stage.SUBMITTED}),
    ("Saisine concertée", {Stage.REFERRAL}),
    ("Diagnostic flash", {Stage.DIAGNOSTIC}),
    ("Rapport", {Stage.REPORT_REVIEW}),
    ("Restitution", {Stage.RESTITUTION}),
    ("Accompagnement", {Stage.SUPPORT, Stage.CLOSED}),
]

# Who the case waits for at each stage, said plainly.
WAITING_FOR = {
    Stage.DRAFT: "Le gestionnaire du centre complète la fiche d'information puis la transmet.",
    Stage.RETURNED: "Le gestionnaire complète la fiche à la demande de la coordination.",
    Stage.SUBMITTED: "La coordination (Caf) vérifie que la fiche est complète.",
    Stage.REFERRAL: "Les partenaires financeurs donnent leur avis ; la coordination "
    "enregistre ensuite leur décision.",
    Stage.DIAGNOSTIC: "Le consultant du prestataire réalise le diagnostic et rédige le rapport.",
    Stage.REPORT_REVIEW: "Le gestionnaire relit le rapport : il le valide ou demande des "
    "modifications.",
    Stage.RESTITUTION: "Le consultant présente le diagnostic au gestionnaire (restitution).",
    Stage.SUPPORT: "Le centre met en œuvre son plan d'actions, avec l'appui du consultant.",
    Stage.CLOSED: "Le dossier est clôturé.",
    Stage.REFUSED: "La demande a été refusée par les financeurs.",
    Stage.CLOSED_WITHOUT_FOLLOW_UP: "Le dossier a été classé sans suite.",
}


def steps_for(case) -> list[dict]:
    """The six steps with their state (done, current, to come) for the step indicator."""
    current = next((i for i, (_, stages) in enumerate(STEPS) if case.stage in stages), None)
    if case.stage in (Stage.REFUSED, Stage.CLOSED_WITHOUT_FOLLOW_UP):
        # Ended where it stopped: in the saisine if it was opened, else at the fiche.
        current = 1 if case.referral_opened_at else 0
    finished = case.stage == Stage.CLOSED
    result = []
    for index, (label, _) in enumerate(STEPS):
        if finished or (current is not None and index < current):
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        result.append({"number": index + 1, "label": label, "state": state})
    return result


@dataclass
class NextAction:
    title: str
    text: str
    url: str
    button: str
    post: bool = False  # a direct POST button (simple transition) rather than a link


def next_actions(user, case) -> list[NextAction]:
    """The actions this user may take now, most important first."""
    pk = case.pk
    actions = []

    def add(allowed, title, text, url, button, post=False):
        if allowed:
            actions.append(NextAction(title, text, url, button, post))

    def transition(name):
        return reverse("cases:transition", args=[pk, name])

    add(
        policies.can_submit(user, case),
        "Compléter et transmettre la fiche d'information",
        "Vérifiez la fiche puis transmettez-la à la Caf : c'est elle qui lance la saisine.",
        reverse("cases:form", args=[pk]),
        "Ouvrir la fiche",
    )
    add(
        policies.can_hand_over(user, case) or (
            policies.can_edit_form(user, case) and not policies.can_submit(user, case)
        ),
        "Préparer la fiche d'information",
        "Vous pouvez remplir la fiche ; seul un administrateur bénévole de l'association "
        "peut la transmettre. Confiez-lui le brouillon quand il est prêt.",
        reverse("cases:form", args=[pk]),
        "Ouvrir la fiche",
    )  # fmt: skip
    add(
        policies.can_check_completeness(user, case),
        "Vérifier la fiche et ouvrir la saisine",
        "Si la fiche est complète, ouvrez la saisine concertée : les partenaires concernés "
        "sont prévenus. Sinon, renvoyez-la pour complément.",
        transition("open_referral"),
        "Ouvrir la saisine concertée",
        post=True,
    )
    add(
        policies.can_check_completeness(user, case),
        "Renvoyer la fiche pour complément",
        "Expliquez au gestionnaire ce qui manque ; tout ce qu'il a saisi est conservé.",
        transition("return_for_completion"),
        "Renvoyer pour complément",
    )
    add(
        policies.can_give_opinion(user, case),
        "Donner l'avis de votre institution",
        "Favorable, réservé ou défavorable ; vous pourrez le modifier jusqu'à la décision.",
        reverse("cases:opinion", args=[pk]),
        "Donner mon avis",
    )
    add(
        policies.can_decide(user, case),
        "Enregistrer la décision des financeurs",
        "Validée, refusée (avec motifs) ou classée sans suite.",
        reverse("cases:decision", args=[pk]),
        "Enregistrer la décision",
    )
    add(
        policies.can_record_referral_meeting(user, case),
        "Réunion de saisine concertée",
        "Planifiez-la (les participants reçoivent l'invitation par courriel) ou consignez-la "
        "après coup ; vue par la coordination et les partenaires.",
        reverse("meetings:meeting_create", args=[pk, MeetingKind.REFERRAL]),
        "Planifier ou consigner la réunion",
    )
    add(
        policies.can_assign_consultant(user, case) and case.consultant_id is None,
        "Désigner le consultant",
        "Choisissez le consultant qui réalisera le diagnostic flash.",
        reverse("cases:assign", args=[pk]),
        "Désigner",
    )
    add(
        policies.can_write_report(user, case),
        "Rédiger et transmettre le rapport de diagnostic",
        "Consignez entretiens et constats, puis rédigez le rapport et transmettez-le au "
        "gestionnaire.",
        reverse("cases:report", args=[pk]),
        "Rédiger le rapport",
    )
    add(
        policies.can_work_on_diagnostic(user, case),
        "Consigner un entretien ou une visite",
        "Date et personnes rencontrées.",
        reverse("meetings:meeting_create", args=[pk, MeetingKind.INTERVIEW]),
        "Consigner un entretien",
    )
    add(
        policies.can_review_report(user, case),
        "Relire le rapport de diagnostic",
        "Validez-le (il sera alors lu par les partenaires financeurs) ou demandez des "
        "modifications au consultant.",
        reverse("cases:review", args=[pk]),
        "Relire le rapport",
    )
    add(
        policies.can_record_restitution(user, case),
        "Consigner la restitution",
        "Date, personnes présentes et synthèse de la présentation au gestionnaire.",
        reverse("cases:restitution", args=[pk]),
        "Consigner la restitution",
    )
    add(
        policies.can_record_restitution(user, case),
        "Planifier la restitution",
        "Date, lieu ou visioconférence et participants : chacun reçoit l'invitation par "
        "courriel, pour son agenda.",
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
    add(
        policies.can_close(user, case),
        "Clôturer le dossier",
        "Quand l'accompagnement est terminé, indiquez l'issue de la mission.",
        reverse("cases:close", args=[pk]),
        "Clôturer",
    )
    add(
        policies.can_answer_satisfaction(user, case),
        "Répondre au questionnaire de satisfaction",
        "Quatre questions, deux minutes : vos réponses aident à améliorer la mission.",
        reverse("cases:satisfaction", args=[pk]),
        "Répondre",
    )
    return actions
