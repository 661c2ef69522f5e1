"""The MSTR workflow as data: every transition on one screen.

A transition has a name, the stages it may start from and the stage it leads to; who may
perform it (a predicate over the actor and the case, written once); its button label and
its past-tense history label; the input it needs; the target duration it starts and the
one it ends; who is told; what it awaits from whom at its source stage.

Services (soutien/cases/services.py) are the only code that moves a case; each one looks
its transition up here, so a forbidden move fails the same way everywhere. The policies
(soutien/cases/policies.py), the buttons and « Ce qu'il faut faire » (web/cases/panels.py),
the history, the things a case awaits (`awaited_by_stage`) and docs/workflow.md
(`manage.py workflow_doc`) all read this table.

Besides the transitions, `STAGE_ACTIONS` are the things done at a stage without moving
the case (an opinion, the consultant's assignment, the satisfaction questionnaire): they
follow the same shape so that rights and awaited things come from one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import TextChoices

from soutien.cases.enums import (
    DEFAULT_TARGET_DAYS_BY_SITUATION,
    FINAL_STAGES,
    DecisionOutcome,
    Situation,
    Stage,
    Step,
)
from soutien.directory.actors import Actor, actor_for
from soutien.directory.models import OrganisationKind

# --- Who ------------------------------------------------------------------------------


class Party(TextChoices):
    """Who must act on a thing (the keys `soutien.cases.awaiting` uses)."""

    COORDINATION = "coordination", "La coordination (Caf)"
    MANAGER = "manager", "Le gestionnaire du centre"
    PARTNER = "partner", "Le partenaire financeur concerné"
    CONSULTANT = "consultant", "Le consultant désigné"
    PROVIDER = "provider", "Le prestataire"


def is_manager(actor: Actor, case) -> bool:
    """The manager: a board member of the association that runs the centre, or an employee
    of the federation that runs it."""
    return case.manager_id in actor.manager_orgs


def is_coordination(actor: Actor, case) -> bool:
    return actor.coordinator


def is_assigned_consultant(actor: Actor, case) -> bool:
    return (
        case.consultant_id is not None
        and case.consultant_id == actor.user_id
        and case.provider_id in actor.provider_orgs
    )


def is_provider_member(actor: Actor, case) -> bool:
    return case.provider_id is not None and case.provider_id in actor.provider_orgs


def concerned_partner_ids(case) -> set[int]:
    """The funders consulted on the case (one opinion each), read once per case."""
    cached = getattr(case, "_concerned_partner_ids", None)
    if cached is None:
        cached = set(case.opinions.values_list("partner_id", flat=True))
        case._concerned_partner_ids = cached
    return cached


def caf_opinion_ids(case) -> set[int]:
    """The concerned funders that are the coordinating Caf itself (its opinion is given by
    the coordination), read once per case."""
    cached = getattr(case, "_caf_opinion_ids", None)
    if cached is None:
        cached = set(
            case.opinions.filter(partner__kind=OrganisationKind.COORDINATOR).values_list(
                "partner_id", flat=True
            )
        )
        case._caf_opinion_ids = cached
    return cached


def is_concerned_partner(actor: Actor, case) -> bool:
    return bool(actor.partner_orgs) and bool(actor.partner_orgs & concerned_partner_ids(case))


def opinion_partner_ids(actor: Actor, case) -> set[int]:
    """The concerned funders on whose behalf this actor gives an opinion: their own
    institution for a partner; the Caf for the coordination (the Caf is both the
    coordinator and one of the funders consulted)."""
    ids = set(actor.partner_orgs) & concerned_partner_ids(case) if actor.partner_orgs else set()
    if actor.coordinator:
        ids |= caf_opinion_ids(case)
    return ids


def gives_an_opinion(actor: Actor, case) -> bool:
    return bool(opinion_partner_ids(actor, case))


def assigns_consultant(actor: Actor, case) -> bool:
    """The coordination, or a consultant of the provider who follows the case (while no
    consultant is designated, or the designated one): another consultant of the provider
    does not see the case, so cannot hand it to someone else."""
    return actor.coordinator or (
        is_provider_member(actor, case) and case.consultant_id in (None, actor.user_id)
    )


@dataclass(frozen=True)
class Who:
    """Who may perform a step: a predicate over the actor and the case, with its wording."""

    party: Party  # who is awaited, when the step is awaited
    label: str  # French, for docs/workflow.md
    test: Callable[[Actor, object], bool]

    def __call__(self, actor: Actor, case) -> bool:
        return self.test(actor, case)


MANAGER = Who(Party.MANAGER, "le gestionnaire", is_manager)
COORDINATION = Who(Party.COORDINATION, "la coordination (Caf)", is_coordination)
ASSIGNED_CONSULTANT = Who(Party.CONSULTANT, "le consultant désigné", is_assigned_consultant)
OPINION_GIVERS = Who(
    Party.PARTNER,
    "chaque partenaire concerné (l'avis de la Caf : la coordination)",
    gives_an_opinion,
)
CONSULTANT_ASSIGNERS = Who(
    Party.PROVIDER,
    "le prestataire (un consultant qui suit le dossier) ou la coordination",
    assigns_consultant,
)


# --- Input, deadlines, who is told ---------------------------------------------------


class InputKind(TextChoices):
    """What a step needs from the person who performs it."""

    CONFIRMATION = "confirmation", "une confirmation"
    OPTIONAL_TEXT = "optional_text", "un motif facultatif"
    REQUIRED_TEXT = "required_text", "un message obligatoire"
    FORM = "form", "un formulaire"


# Who is told, by key (soutien.cases.notifications.AUDIENCES has the same keys).
TOLD_LABELS = {
    "coordination": "la coordination",
    "manager": "le gestionnaire",
    "partners": "les partenaires concernés",
    "provider": "le prestataire (le consultant désigné, s'il l'est)",
}


@dataclass(frozen=True)
class Await:
    """A thing awaited at a source stage of a step, from the step's party."""

    kind: str
    label: str
    at: frozenset[Stage] | None = None  # None: at every source stage of the step
    condition: str | None = None  # a name of awaiting's conditions


@dataclass(frozen=True)
class StageAction:
    """Something done at a stage without moving the case."""

    name: str
    sources: frozenset[Stage]
    who: Who
    label: str
    input: InputKind = InputKind.FORM
    input_help: str = ""  # French: what the form asks
    awaits: tuple[Await, ...] = ()

    def allows(self, actor: Actor, case) -> bool:
        return case.stage in self.sources and self.who(actor, case)


@dataclass(frozen=True)
class Transition(StageAction):
    target: Stage = Stage.DRAFT
    done_label: str = ""  # what the history says once done: « Fiche transmise »
    deadline_starts: Step | None = None
    deadline_ends: Step | None = None
    told: tuple[str, ...] = ()


def _t(name, sources, target, label, done_label, *, who, **more) -> Transition:
    return Transition(
        name=name,
        sources=frozenset(sources),
        target=target,
        label=label,
        done_label=done_label,
        who=who,
        **more,
    )


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t(
            "submit",
            {Stage.DRAFT, Stage.RETURNED},
            Stage.SUBMITTED,
            "Transmettre la fiche",
            "Fiche transmise",
            who=MANAGER,
            input=InputKind.CONFIRMATION,
            input_help="la fiche d'information complète",
            deadline_starts=Step.REFERRAL,
            told=("coordination", "manager"),
            awaits=(
                Await(
                    "complete_form",
                    "Compléter la fiche d'information",
                    at=frozenset({Stage.RETURNED}),
                ),
            ),
        ),
        _t(
            "return_for_completion",
            {Stage.SUBMITTED},
            Stage.RETURNED,
            "Renvoyer pour complément",
            "Fiche renvoyée pour complément",
            who=COORDINATION,
            input=InputKind.REQUIRED_TEXT,
            input_help="ce qui manque",
            deadline_ends=Step.REFERRAL,
            told=("manager",),
        ),
        _t(
            "open_referral",
            {Stage.SUBMITTED},
            Stage.REFERRAL,
            "Ouvrir la saisine concertée",
            "Saisine concertée ouverte",
            who=COORDINATION,
            input=InputKind.CONFIRMATION,
            told=("partners", "manager"),
            awaits=(Await("check_form", "Vérifier la fiche transmise"),),
        ),
        _t(
            "withdraw",
            {Stage.SUBMITTED, Stage.RETURNED, Stage.REFERRAL},
            Stage.CLOSED_WITHOUT_FOLLOW_UP,
            "Retirer la demande",
            "Demande retirée",
            who=MANAGER,
            input=InputKind.OPTIONAL_TEXT,
            deadline_ends=Step.REFERRAL,
            told=("coordination", "partners"),
        ),
        _t(
            "validate",
            {Stage.REFERRAL},
            Stage.DIAGNOSTIC,
            "Valider la demande",
            "Demande validée",
            who=COORDINATION,
            input_help="la décision ; une justification si un avis manque",
            deadline_ends=Step.REFERRAL,
            deadline_starts=Step.REPORT,
            told=("manager", "provider", "partners"),
            awaits=(Await("decide", "Enregistrer la décision des financeurs"),),
        ),
        _t(
            "refuse",
            {Stage.REFERRAL},
            Stage.REFUSED,
            "Refuser la demande",
            "Demande refusée",
            who=COORDINATION,
            input_help="la décision et ses motifs ; une justification si un avis manque",
            deadline_ends=Step.REFERRAL,
            told=("manager", "partners"),
        ),
        _t(
            "close_without_follow_up",
            {Stage.SUBMITTED, Stage.REFERRAL},
            Stage.CLOSED_WITHOUT_FOLLOW_UP,
            "Classer sans suite",
            "Dossier classé sans suite",
            who=COORDINATION,
            input=InputKind.OPTIONAL_TEXT,
            input_help="pendant la saisine, sur le formulaire de la décision, avec une "
            "justification si un avis manque",
            deadline_ends=Step.REFERRAL,
            told=("manager", "partners"),
        ),
        _t(
            "submit_report",
            {Stage.DIAGNOSTIC},
            Stage.REPORT_REVIEW,
            "Transmettre le rapport",
            "Rapport transmis au gestionnaire",
            who=ASSIGNED_CONSULTANT,
            input=InputKind.CONFIRMATION,
            input_help="le rapport rédigé : analyse et préconisations au moins",
            deadline_ends=Step.REPORT,
            deadline_starts=Step.VALIDATION,
            told=("manager",),
            awaits=(
                Await(
                    "report",
                    "Rédiger et transmettre le rapport du diagnostic",
                    condition="first_report",
                ),
                # The manager asked for changes: the case is back at the diagnostic.
                Await(
                    "revise_report",
                    "Reprendre le rapport selon les commentaires du gestionnaire",
                    condition="changes_requested",
                ),
            ),
        ),
        _t(
            "request_changes",
            {Stage.REPORT_REVIEW},
            Stage.DIAGNOSTIC,
            "Demander des modifications",
            "Modifications du rapport demandées",
            who=MANAGER,
            input=InputKind.FORM,
            input_help="les commentaires du gestionnaire",
            deadline_ends=Step.VALIDATION,
            deadline_starts=Step.REPORT,
            told=("provider",),
        ),
        _t(
            "validate_report",
            {Stage.REPORT_REVIEW},
            Stage.RESTITUTION,
            "Valider le rapport",
            "Rapport validé",
            who=MANAGER,
            input=InputKind.CONFIRMATION,
            deadline_ends=Step.VALIDATION,
            deadline_starts=Step.RESTITUTION,
            told=("provider", "coordination", "partners"),
            awaits=(Await("validate_report", "Relire et valider le rapport"),),
        ),
        _t(
            "record_restitution",
            {Stage.RESTITUTION},
            Stage.SUPPORT,
            "Enregistrer la restitution",
            "Restitution consignée",
            who=ASSIGNED_CONSULTANT,
            input_help="date, personnes présentes et synthèse",
            deadline_ends=Step.RESTITUTION,
            told=("manager", "coordination", "partners"),
            awaits=(Await("restitution", "Faire la restitution au gestionnaire"),),
        ),
        _t(
            "close",
            {Stage.RESTITUTION, Stage.SUPPORT},
            Stage.CLOSED,
            "Clôturer le dossier",
            "Dossier clôturé",
            who=COORDINATION,
            input_help="l'issue de la mission",
            deadline_ends=Step.RESTITUTION,
            told=("manager", "partners", "provider"),
            awaits=(Await("close", "Clôturer le dossier", at=frozenset({Stage.SUPPORT})),),
        ),
    ]
}


def _s(name, sources, label, *, who, **more) -> StageAction:
    return StageAction(name=name, sources=frozenset(sources), label=label, who=who, **more)


STAGE_ACTIONS: dict[str, StageAction] = {
    a.name: a
    for a in [
        _s(
            "give_opinion",
            {Stage.REFERRAL},
            "Donner l'avis de votre institution",
            who=OPINION_GIVERS,
            input_help="favorable, réservé ou défavorable, avec un commentaire",
            awaits=(Await("opinion", "Donner l'avis de votre institution"),),
        ),
        _s(
            "assign_consultant",
            {Stage.DIAGNOSTIC, Stage.REPORT_REVIEW, Stage.RESTITUTION, Stage.SUPPORT},
            "Désigner le consultant",
            who=CONSULTANT_ASSIGNERS,
            input_help="le consultant du prestataire",
            awaits=(
                Await(
                    "assign_consultant",
                    "Désigner le consultant du diagnostic",
                    at=frozenset({Stage.DIAGNOSTIC}),
                    condition="no_consultant",
                ),
            ),
        ),
        _s(
            "answer_satisfaction",
            {Stage.CLOSED},
            "Répondre au questionnaire de satisfaction",
            who=MANAGER,
            input_help="quatre questions",
            awaits=(
                Await(
                    "satisfaction",
                    "Répondre au questionnaire de satisfaction",
                    condition="no_satisfaction",
                ),
            ),
        ),
    ]
}

# The whole table, in the order of the circuit (the awaited things keep this order).
STEPS_IN_ORDER: list[StageAction] = [
    TRANSITIONS["submit"],
    TRANSITIONS["open_referral"],
    TRANSITIONS["return_for_completion"],
    TRANSITIONS["withdraw"],
    STAGE_ACTIONS["give_opinion"],
    TRANSITIONS["validate"],
    TRANSITIONS["refuse"],
    TRANSITIONS["close_without_follow_up"],
    STAGE_ACTIONS["assign_consultant"],
    TRANSITIONS["submit_report"],
    TRANSITIONS["request_changes"],
    TRANSITIONS["validate_report"],
    TRANSITIONS["record_restitution"],
    TRANSITIONS["close"],
    STAGE_ACTIONS["answer_satisfaction"],
]
RULES: dict[str, StageAction] = {step.name: step for step in STEPS_IN_ORDER}

# The funders' decision: each outcome is one transition.
DECISION_TRANSITIONS = {
    DecisionOutcome.VALIDATED: "validate",
    DecisionOutcome.REFUSED: "refuse",
    DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP: "close_without_follow_up",
}

# --- Named groups of stages, read from the table ---------------------------------------

# The first stage: a draft only its authors see.
START = Stage.DRAFT
# The fiche is filled (and edited) where it can be submitted from.
FORM_STAGES = TRANSITIONS["submit"].sources
# The saisine concertée: where the funders' decision is taken.
REFERRAL_STAGES = TRANSITIONS["validate"].sources
# The consultant's fieldwork (interviews, findings): from the decision until the report
# is validated (a report sent back for changes is worked on again).
DIAGNOSTIC_STAGES = frozenset({TRANSITIONS["validate"].target, TRANSITIONS["submit_report"].target})
# After the restitution: the support and its action plan.
SUPPORT_STAGES = frozenset({TRANSITIONS["record_restitution"].target})
# From the restitution on: a partner meeting may be held, the case may be closed.
AFTER_REPORT_STAGES = TRANSITIONS["close"].sources
# The action plan is read during the support and after the closure.
ACTION_PLAN_STAGES = SUPPORT_STAGES | {TRANSITIONS["close"].target}
FINAL = frozenset(FINAL_STAGES)


# --- Reading the table ------------------------------------------------------------------


def allows(name: str, user, case) -> bool:
    """Whether `user` may perform the step `name` on `case` now: the case is at one of the
    step's source stages and the user is one of those the table names. A deactivated
    account performs nothing."""
    if not (user is not None and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return RULES[name].allows(actor_for(user), case)


class TransitionNotAllowed(Exception):
    """The case is not at a stage from which this transition starts."""

    def __init__(self, transition: Transition, stage: Stage):
        self.transition = transition
        self.stage = stage
        super().__init__(f"{transition.name} impossible depuis {stage}")


def check_transition(name: str, stage: str) -> Transition:
    transition = TRANSITIONS[name]
    if stage not in transition.sources:
        raise TransitionNotAllowed(transition, Stage(stage))
    return transition


def allowed_transitions(stage: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if stage in t.sources]


def arrival_event(case, name: str | None = None):
    """The event of the transition that brought the case to its current stage (None for
    a draft, or when `name` is given and another transition brought it there)."""
    event = (
        case.events.exclude(to_stage="")
        .filter(to_stage=case.stage)
        .order_by("-created_at", "-pk")
        .first()
    )
    if event is None or (name is not None and event.kind != name):
        return None
    return event


def already_done(case, name: str) -> bool:
    """« Action déjà effectuée » : the case is at the transition's target and this very
    transition brought it there (a second post of the same form, a double click)."""
    transition = TRANSITIONS[name]
    return case.stage == transition.target and arrival_event(case, name) is not None


def awaited_by_stage() -> dict[Stage, list[tuple[str, Party, str, str | None]]]:
    """Per stage, the things awaited there: (kind, party, label, condition), in the order
    of the circuit. Derived from the table (the `awaits` of each step at its source
    stages), for soutien.cases.awaiting."""
    result: dict[Stage, list] = {}
    for step in STEPS_IN_ORDER:
        for awaited in step.awaits:
            for stage in sorted(awaited.at or step.sources, key=list(Stage).index):
                result.setdefault(stage, []).append(
                    (awaited.kind, step.who.party, awaited.label, awaited.condition)
                )
    return result


# --- The case's place in the brochure's six steps ----------------------------------------

# The six steps of the brochure, and the stages that belong to each. A transmitted fiche
# stays the current step while the coordination checks it: the saisine concertée is
# current only once it is open.
BROCHURE_STEPS = [
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
    Stage.REFERRAL: "Les partenaires financeurs donnent leur avis (celui de la Caf est donné "
    "par la coordination) ; la coordination enregistre ensuite leur décision.",
    Stage.DIAGNOSTIC: "Le consultant du prestataire réalise le diagnostic et rédige le rapport.",
    Stage.REPORT_REVIEW: "Le gestionnaire relit le rapport : il le valide ou demande des "
    "modifications.",
    Stage.RESTITUTION: "Le consultant présente le diagnostic au gestionnaire (restitution).",
    Stage.SUPPORT: "Le centre met en œuvre son plan d'actions, avec l'appui du consultant.",
    Stage.CLOSED: "Le dossier est clôturé.",
    Stage.REFUSED: "La demande a été refusée par les financeurs.",
    Stage.CLOSED_WITHOUT_FOLLOW_UP: "Le dossier a été classé sans suite.",
}


def step_states(case) -> list[dict]:
    """The six steps with their state (done, current, to come) for the step indicator."""
    current = next(
        (i for i, (_, stages) in enumerate(BROCHURE_STEPS) if case.stage in stages), None
    )
    if case.stage in FINAL and case.stage != TRANSITIONS["close"].target:
        # Ended where it stopped: in the saisine if it was opened, else at the fiche.
        current = 1 if case.referral_opened_at else 0
    finished = case.stage == TRANSITIONS["close"].target
    result = []
    for index, (label, _) in enumerate(BROCHURE_STEPS):
        if finished or (current is not None and index < current):
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        result.append({"number": index + 1, "label": label, "state": state})
    return result


# --- Documentation -----------------------------------------------------------------------


def mermaid() -> str:
    """The workflow as a Mermaid state diagram (rendered in docs/workflow.md)."""
    lines = ["stateDiagram-v2", f"    [*] --> {Stage.DRAFT.value}"]
    for transition in TRANSITIONS.values():
        for source in sorted(transition.sources):
            lines.append(f"    {source.value} --> {transition.target.value}: {transition.label}")
    return "\n".join(lines)


def _stages(stages) -> str:
    return ", ".join(f"« {Stage(s).label} »" for s in sorted(stages, key=list(Stage).index))


def _step(step: Step | None) -> str:
    return Step(step).label if step else "—"


def markdown() -> str:
    """docs/workflow.md, generated from the table (`manage.py workflow_doc` writes it; a
    test checks that the committed file is current)."""
    lines = [
        "# Le circuit d'un dossier MSTR",
        "",
        "<!-- Fichier produit par `manage.py workflow_doc` à partir de la table "
        "`soutien/cases/workflow.py` : ne pas le modifier à la main. -->",
        "",
        "Ce document est produit à partir de la table des transitions "
        "(`soutien/cases/workflow.py`), seule source de vérité : les droits, les boutons, "
        "« Ce qu'il faut faire maintenant », l'historique, les rappels et ce document la "
        "lisent. Un test vérifie qu'il est à jour (`manage.py workflow_doc` le réécrit).",
        "",
        "## Le double rôle de la Caf",
        "",
        "La Caf des Bouches-du-Rhône coordonne la mission **et** compte parmi les "
        "partenaires financeurs consultés lors de la saisine concertée. C'est la "
        "coordination qui donne « l'avis de la Caf », sur le même formulaire et avec les "
        "mêmes règles que les autres partenaires pour l'avis de leur institution : tous les "
        "avis attendus peuvent donc être donnés, et une décision prise après tous les avis "
        "n'a pas besoin de justification. Voir aussi `docs/workflow-roles.md`.",
        "",
        "## Diagramme",
        "",
        "```mermaid",
        mermaid(),
        "```",
        "",
        "## Transitions",
        "",
        "| Transition | Depuis | Vers | Qui | Ce qu'il faut fournir | Délai qui commence "
        "| Délai qui s'achève | Qui est prévenu | Dans l'historique |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS.values():
        given = InputKind(t.input).label + (f" ({t.input_help})" if t.input_help else "")
        told = ", ".join(TOLD_LABELS[key] for key in t.told) or "—"
        lines.append(
            f"| {t.label} (`{t.name}`) | {_stages(t.sources)} | « {Stage(t.target).label} » "
            f"| {t.who.label} | {given} | {_step(t.deadline_starts)} "
            f"| {_step(t.deadline_ends)} | {told} | {t.done_label} |"
        )
    lines += [
        "",
        "## Actions sans changement d'étape",
        "",
        "| Action | À l'étape | Qui | Ce qu'il faut fournir |",
        "|---|---|---|---|",
    ]
    for a in STAGE_ACTIONS.values():
        given = InputKind(a.input).label + (f" ({a.input_help})" if a.input_help else "")
        lines.append(f"| {a.label} (`{a.name}`) | {_stages(a.sources)} | {a.who.label} | {given} |")
    lines += [
        "",
        "## Ce qui est attendu, de qui, à chaque étape",
        "",
        "Les rappels et le récapitulatif quotidien en sont tirés.",
        "",
        "| Étape | Qui | Ce qui est attendu |",
        "|---|---|---|",
    ]
    for stage, things in awaited_by_stage().items():
        for _kind, party, label, _condition in things:
            lines.append(f"| « {Stage(stage).label} » | {Party(party).label} | {label} |")
    lines += [
        "",
        "## Délais cibles",
        "",
        "Par défaut, en jours ; la coordination les modifie (page « Délais cibles »). Un "
        "délai commence et s'achève avec les transitions ci-dessus.",
        "",
        "| Délai | "
        + " | ".join(Situation(s).label for s in DEFAULT_TARGET_DAYS_BY_SITUATION)
        + " |",
        "|---|" + "---|" * len(DEFAULT_TARGET_DAYS_BY_SITUATION),
    ]
    for step in Step:
        days = [str(table[step]) for table in DEFAULT_TARGET_DAYS_BY_SITUATION.values()]
        lines.append(f"| {step.label} | " + " | ".join(days) + " |")
    lines.append("")
    return "\n".join(lines)
