"""The MSTR workflow as data: every transition on one screen.

A transition has a name, the stages it may start from and the stage it leads to.
Services (soutien/cases/services.py) are the only code that moves a case; each one
looks its transition up here, so a forbidden move fails the same way everywhere.
"""

from dataclasses import dataclass

from soutien.cases.enums import Stage


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[Stage]
    target: Stage
    label: str  # what the button says: « Transmettre la fiche »
    done_label: str  # what the history says once done: « Fiche transmise »


def _t(name, sources, target, label, done_label):
    return Transition(name, frozenset(sources), target, label, done_label)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t(
            "submit",
            {Stage.DRAFT, Stage.RETURNED},
            Stage.SUBMITTED,
            "Transmettre la fiche",
            "Fiche transmise",
        ),
        _t(
            "return_for_completion",
            {Stage.SUBMITTED},
            Stage.RETURNED,
            "Renvoyer pour complément",
            "Fiche renvoyée pour complément",
        ),
        _t(
            "open_referral",
            {Stage.SUBMITTED},
            Stage.REFERRAL,
            "Ouvrir la saisine concertée",
            "Saisine concertée ouverte",
        ),
        _t(
            "withdraw",
            {Stage.SUBMITTED, Stage.RETURNED, Stage.REFERRAL},
            Stage.CLOSED_WITHOUT_FOLLOW_UP,
            "Retirer la demande",
            "Demande retirée",
        ),
        _t("validate", {Stage.REFERRAL}, Stage.DIAGNOSTIC, "Valider la demande", "Demande validée"),
        _t("refuse", {Stage.REFERRAL}, Stage.REFUSED, "Refuser la demande", "Demande refusée"),
        _t(
            "close_without_follow_up",
            {Stage.SUBMITTED, Stage.REFERRAL},
            Stage.CLOSED_WITHOUT_FOLLOW_UP,
            "Classer sans suite",
            "Dossier classé sans suite",
        ),
        _t(
            "submit_report",
            {Stage.DIAGNOSTIC},
            Stage.REPORT_REVIEW,
            "Transmettre le rapport",
            "Rapport transmis au gestionnaire",
        ),
        _t(
            "request_changes",
            {Stage.REPORT_REVIEW},
            Stage.DIAGNOSTIC,
            "Demander des modifications",
            "Modifications du rapport demandées",
        ),
        _t(
            "validate_report",
            {Stage.REPORT_REVIEW},
            Stage.RESTITUTION,
            "Valider le rapport",
            "Rapport validé",
        ),
        _t(
            "record_restitution",
            {Stage.RESTITUTION},
            Stage.SUPPORT,
            "Enregistrer la restitution",
            "Restitution consignée",
        ),
        _t(
            "close",
            {Stage.RESTITUTION, Stage.SUPPORT},
            Stage.CLOSED,
            "Clôturer le dossier",
            "Dossier clôturé",
        ),
    ]
}


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


def mermaid() -> str:
    """The workflow as a Mermaid state diagram (rendered in docs/workflow.md)."""
    lines = ["stateDiagram-v2", f"    [*] --> {Stage.DRAFT.value}"]
    for transition in TRANSITIONS.values():
        for source in sorted(transition.sources):
            lines.append(f"    {source.value} --> {transition.target.value}: {transition.label}")
    return "\n".join(lines)
