"""The self-check's scoring, as a pure function of plain values (no database, no request).

Each answer weighs the points of its choice; a field's points are the sum of its answers;
a field's level follows its thresholds: below ``watch_from`` no sign, from ``watch_from``
« à surveiller », from ``warning_from`` « signes d'alerte ». An answer that weighs points
is a sign, shown with its explanation and advice. Unanswered questions weigh nothing.
The result describes signs: it never calls a centre « en crise ».
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class Level(enum.IntEnum):
    NONE = 0
    WATCH = 1
    WARNING = 2

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def slug(self) -> str:
        return self.name.lower()


LEVEL_LABELS = {
    Level.NONE: "Aucun signe",
    Level.WATCH: "À surveiller",
    Level.WARNING: "Signes d'alerte",
}


@dataclass(frozen=True)
class ChoiceSpec:
    code: str
    label: str
    weight: int


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    domain_code: str
    text: str
    explanation: str
    advice: str
    choices: tuple[ChoiceSpec, ...]
    warning_sign_code: str | None = None

    def choice(self, code: str) -> ChoiceSpec | None:
        return next((choice for choice in self.choices if choice.code == code), None)


@dataclass(frozen=True)
class DomainSpec:
    code: str
    name: str
    watch_from: int
    warning_from: int


@dataclass(frozen=True)
class Sign:
    question: QuestionSpec
    choice: ChoiceSpec


@dataclass
class DomainResult:
    domain: DomainSpec
    points: int = 0
    answered: int = 0
    signs: list[Sign] = field(default_factory=list)

    @property
    def level(self) -> Level:
        if self.points >= self.domain.warning_from:
            return Level.WARNING
        if self.points >= self.domain.watch_from:
            return Level.WATCH
        return Level.NONE


@dataclass
class Result:
    domains: list[DomainResult]

    @property
    def level(self) -> Level:
        return max((result.level for result in self.domains), default=Level.NONE)

    @property
    def signs(self) -> list[Sign]:
        return [sign for result in self.domains for sign in result.signs]

    @property
    def preventive_request_advised(self) -> bool:
        """A preventive request makes sense as soon as one field is at least « à surveiller »."""
        return self.level >= Level.WATCH

    def warning_sign_codes(self) -> list[str]:
        codes = [sign.question.warning_sign_code for sign in self.signs]
        return list(dict.fromkeys(code for code in codes if code))

    def domain_codes(self) -> list[str]:
        return [result.domain.code for result in self.domains if result.level >= Level.WATCH]


def score(
    questions: Iterable[QuestionSpec],
    domains: Iterable[DomainSpec],
    answers: Mapping[str, str],
) -> Result:
    """The result of one set of answers (question code → choice code).

    Answers to unknown questions, or naming an unknown choice, are ignored: the form
    validates them before; this function never raises on input.
    """
    results = {domain.code: DomainResult(domain) for domain in domains}
    for question in questions:
        result = results.get(question.domain_code)
        code = answers.get(question.code)
        if result is None or code is None:
            continue
        choice = question.choice(code)
        if choice is None:
            continue
        result.answered += 1
        if choice.weight > 0:
            result.points += choice.weight
            result.signs.append(Sign(question, choice))
    return Result([result for result in results.values() if result.answered])
