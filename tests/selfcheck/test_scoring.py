"""The self-check's scoring on hand-written answer sets (pure: no database)."""

from soutien.selfcheck.scoring import ChoiceSpec, DomainSpec, Level, QuestionSpec, score

FINANCES = DomainSpec("finances", "Gestion financière", watch_from=2, warning_from=4)
GOVERNANCE = DomainSpec("gouvernance", "Gouvernance", watch_from=3, warning_from=6)

TREASURY = QuestionSpec(
    code="tresorerie",
    domain_code="finances",
    text="Trésorerie ?",
    explanation="Pour payer les salaires.",
    advice="Un plan de trésorerie.",
    warning_sign_code="tresorerie-faible",
    choices=(
        ChoiceSpec("plus-de-3", "Plus de trois mois", 0),
        ChoiceSpec("moins-de-2", "Moins", 4),
    ),
)
DEFICITS = QuestionSpec(
    code="deficits",
    domain_code="finances",
    text="Déficits ?",
    explanation="Les réserves fondent.",
    advice="Un budget.",
    warning_sign_code="deficits-repetes",
    choices=(
        ChoiceSpec("aucun", "Aucun", 0),
        ChoiceSpec("un", "Un", 1),
        ChoiceSpec("deux", "Deux", 2),
    ),
)
GENERAL_ASSEMBLY = QuestionSpec(
    code="ag",
    domain_code="gouvernance",
    text="Assemblée générale ?",
    explanation="Les statuts.",
    advice="La convoquer.",
    warning_sign_code=None,
    choices=(ChoiceSpec("oui", "Oui", 0), ChoiceSpec("retard", "En retard", 3)),
)
QUESTIONS = [TREASURY, DEFICITS, GENERAL_ASSEMBLY]
DOMAINS = [FINANCES, GOVERNANCE]


def levels(answers, domains=DOMAINS):
    result = score(QUESTIONS, domains, answers)
    return {field.domain.code: (field.points, field.level) for field in result.domains}


def test_no_sign_when_every_answer_weighs_nothing():
    answers = {"tresorerie": "plus-de-3", "deficits": "aucun", "ag": "oui"}
    assert levels(answers) == {"finances": (0, Level.NONE), "gouvernance": (0, Level.NONE)}
    result = score(QUESTIONS, DOMAINS, answers)
    assert result.level == Level.NONE
    assert result.signs == []
    assert not result.preventive_request_advised


def test_points_add_up_within_a_field_up_to_its_thresholds():
    assert levels({"deficits": "un"}) == {"finances": (1, Level.NONE)}
    assert levels({"deficits": "deux"}) == {"finances": (2, Level.WATCH)}
    assert levels({"tresorerie": "moins-de-2"}) == {"finances": (4, Level.WARNING)}
    assert levels({"tresorerie": "moins-de-2", "deficits": "deux"}) == {
        "finances": (6, Level.WARNING)
    }


def test_each_field_has_its_own_thresholds():
    # 3 points: a warning in no field, « à surveiller » in governance (3 ≥ 3), and in
    # finances (3 ≥ 2) only if the answers were there.
    assert levels({"ag": "retard", "deficits": "un"}) == {
        "gouvernance": (3, Level.WATCH),
        "finances": (1, Level.NONE),
    }


def test_signs_carry_their_question_and_give_the_form_codes():
    result = score(
        QUESTIONS, DOMAINS, {"tresorerie": "moins-de-2", "deficits": "un", "ag": "retard"}
    )
    assert [(sign.question.code, sign.choice.code) for sign in result.signs] == [
        ("tresorerie", "moins-de-2"),
        ("deficits", "un"),
        ("ag", "retard"),
    ]
    # The governance question has no warning sign of the form: only two codes.
    assert result.warning_sign_codes() == ["tresorerie-faible", "deficits-repetes"]
    assert result.domain_codes() == ["finances", "gouvernance"]
    assert result.level == Level.WARNING
    assert result.preventive_request_advised


def test_unanswered_questions_and_unknown_codes_weigh_nothing():
    assert levels({}) == {}
    assert levels({"tresorerie": "inconnu", "autre": "x", "ag": "oui"}) == {
        "gouvernance": (0, Level.NONE)
    }


def test_a_lower_threshold_changes_the_level():
    stricter = [DomainSpec("finances", "Gestion financière", watch_from=1, warning_from=2)]
    assert levels({"deficits": "un"}, stricter) == {"finances": (1, Level.WATCH)}
    assert levels({"deficits": "deux"}, stricter) == {"finances": (2, Level.WARNING)}


def test_the_levels_are_words_never_a_crisis():
    assert [level.label for level in Level] == ["Aucun signe", "À surveiller", "Signes d'alerte"]
    assert not any("crise" in level.label.lower() for level in Level)
