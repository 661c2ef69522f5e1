"""Every email the platform sends is one registered notification rendered from its two
templates (soutien.core.notifications): each kind renders, with a sample context, a
French subject written here by hand and a body with nothing left of the template."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from soutien.accounts import preferences
from soutien.accounts.models import AccountRequest, Delivery, NotificationCategory, User
from soutien.accounts.notifications import PlatformNotification
from soutien.cases.enums import ClosureOutcome, DecisionOutcome, MeetingKind, Stage
from soutien.cases.models import Case, CaseEvent, Decision, Meeting, ReportVersion
from soutien.core.notifications import REGISTRY, Notification, all_kinds
from soutien.directory.models import Role, SocialCentre
from soutien.followup.enums import Milestone
from soutien.followup.models import FollowUp
from soutien.meetings.models import DatePoll, DatePollSlot
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
SITE = "https://soutien.exemple.fr"
NBSP = "\u00a0"
# What typed text may hold: an apostrophe, an ampersand, angle brackets, a line break.
CENTRE_NAME = "Centre social L'Escale &\r\n<Nord>"
CENTRE = SocialCentre(pk=7, name=CENTRE_NAME)
CONSULTANT = User(pk=3, email="claire.roux@exemple.fr", first_name="Claire", last_name="Roux")
EMPLOYEE = User(pk=4, email="jules.bon@exemple.fr", first_name="Jules", last_name="Bon")


def a_case(stage=Stage.REFERRAL, **fields):
    return Case(pk=42, number="MSTR-2026-0042", stage=stage, centre=CENTRE, **fields)


def a_request(**fields):
    return AccountRequest(
        pk=5,
        first_name="Camille",
        last_name="Martin",
        email="camille.martin@exemple.fr",
        organisation_name="Centre social d'Air Bel",
        role=Role.BOARD_MEMBER,
        **fields,
    )


def a_meeting():
    return Meeting(
        pk=9,
        case=a_case(),
        kind=MeetingKind.REFERRAL,
        starts_at=dt.datetime(2026, 12, 11, 14, 30, tzinfo=PARIS),
        place="Caf des Bouches-du-Rhône,\nsalle 3",
        agenda="Présentation de la demande.\nAvis des partenaires.\n",
    )


def a_reminder_item(**fields):
    return {
        "case": a_case(),
        "what": "Donner l'avis de votre institution",
        "when": "échéance le 31/03/2026, dans 3 jours",
        "url": f"{SITE}/dossiers/42/",
        "actor": "Ville de Marseille",
        **fields,
    }


DECISION = Decision(outcome=DecisionOutcome.REFUSED, grounds="Le centre relève d'une autre aide.")
VERSION = ReportVersion(number=2)
EVENT = CaseEvent(
    label="Avis donné : Marseille — favorable",
    created_at=dt.datetime(2026, 3, 27, 9, 5, tzinfo=PARIS),
)

# name -> (sample context, the subject expected, written by hand)
SAMPLES = {
    "account_access_added": (
        lambda: {
            "user": CONSULTANT,
            "organisation": "Association d'Air Bel",
            "role_label": "Administrateur bénévole",
            "path": "/compte/connexion/",
        },
        "Un nouvel accès a été ajouté à votre compte",
    ),
    "account_invitation": (
        lambda: {
            "user": CONSULTANT,
            "path": "/invitation/jeton/",
            "expires_at": dt.datetime(2026, 12, 8, 18, 0, tzinfo=PARIS),
            "account_request": a_request(),
        },
        "Votre compte est prêt : choisissez votre mot de passe",
    ),
    "account_request_received": (
        lambda: {"account_request": a_request()},
        "Votre demande de compte a bien été reçue",
    ),
    "account_request_refused": (
        lambda: {"account_request": a_request(refusal_reason="Le centre n'est pas concerné.")},
        "Votre demande de compte",
    ),
    "account_request_to_review": (
        lambda: {"account_request": a_request()},
        "Nouvelle demande de compte : Camille Martin",
    ),
    "password_reset": (
        lambda: {
            "email": "camille.martin@exemple.fr",
            "protocol": "https",
            "domain": "soutien.exemple.fr",
            "uid": "MQ",
            "token": "jeton-a-usage-unique",
        },
        "Soutien — choisir un nouveau mot de passe",
    ),
    "case_notice": (
        lambda: {"case": a_case(), "subject": "Essai", "text": "Un changement."},
        "[MSTR-2026-0042] Essai",
    ),
    "case_submitted": (
        lambda: {"case": a_case(Stage.SUBMITTED)},
        "[MSTR-2026-0042] Nouvelle fiche d'information",
    ),
    "case_submitted_to_manager": (
        lambda: {"case": a_case(Stage.SUBMITTED)},
        "[MSTR-2026-0042] Votre demande a été transmise",
    ),
    "case_returned": (
        lambda: {"case": a_case(Stage.RETURNED), "message": "Il manque le budget."},
        "[MSTR-2026-0042] Fiche à compléter",
    ),
    "case_referral_opened": (
        lambda: {"case": a_case()},
        "[MSTR-2026-0042] Saisine concertée : votre avis est attendu",
    ),
    "case_referral_opened_to_manager": (
        lambda: {"case": a_case()},
        "[MSTR-2026-0042] Saisine concertée ouverte",
    ),
    "case_opinion": (
        lambda: {"case": a_case()},
        "[MSTR-2026-0042] Nouvel avis d'un partenaire",
    ),
    "case_accepted": (
        lambda: {"case": a_case(Stage.DIAGNOSTIC)},
        "[MSTR-2026-0042] Demande validée par les financeurs",
    ),
    "case_accepted_to_provider": (
        lambda: {"case": a_case(Stage.DIAGNOSTIC)},
        "[MSTR-2026-0042] Nouveau diagnostic flash à réaliser",
    ),
    "case_refused": (
        lambda: {"case": a_case(Stage.REFUSED), "decision": DECISION},
        "[MSTR-2026-0042] Décision des financeurs sur votre demande",
    ),
    "case_dismissed": (
        lambda: {"case": a_case(Stage.CLOSED_WITHOUT_FOLLOW_UP), "decision": DECISION},
        "[MSTR-2026-0042] Demande classée sans suite",
    ),
    "case_decision": (
        lambda: {"case": a_case(Stage.REFUSED), "decision": DECISION},
        "[MSTR-2026-0042] Décision enregistrée",
    ),
    "case_withdrawn": (
        lambda: {"case": a_case(Stage.CLOSED_WITHOUT_FOLLOW_UP)},
        "[MSTR-2026-0042] Demande retirée",
    ),
    "case_consultant_assigned": (
        lambda: {"case": a_case(Stage.DIAGNOSTIC, consultant=CONSULTANT)},
        "[MSTR-2026-0042] Diagnostic flash confié",
    ),
    "case_consultant_named": (
        lambda: {"case": a_case(Stage.DIAGNOSTIC, consultant=CONSULTANT)},
        "[MSTR-2026-0042] Consultant désigné",
    ),
    "case_report_submitted": (
        lambda: {"case": a_case(Stage.REPORT_REVIEW), "version": VERSION},
        "[MSTR-2026-0042] Rapport de diagnostic à relire (version 2)",
    ),
    "case_changes_requested": (
        lambda: {"case": a_case(Stage.DIAGNOSTIC), "version": VERSION},
        "[MSTR-2026-0042] Modifications demandées sur le rapport",
    ),
    "case_report_validated": (
        lambda: {"case": a_case(Stage.RESTITUTION), "version": VERSION},
        "[MSTR-2026-0042] Rapport validé",
    ),
    "case_restitution": (
        lambda: {"case": a_case(Stage.SUPPORT)},
        "[MSTR-2026-0042] Restitution effectuée",
    ),
    "case_closed": (
        lambda: {"case": a_case(Stage.CLOSED, closure_outcome=ClosureOutcome.IMPROVED)},
        "[MSTR-2026-0042] Dossier clôturé : votre avis compte",
    ),
    "case_closed_to_others": (
        lambda: {"case": a_case(Stage.CLOSED, closure_outcome=ClosureOutcome.IMPROVED)},
        "[MSTR-2026-0042] Dossier clôturé",
    ),
    "case_handed_over": (
        lambda: {"case": Case(pk=42, stage=Stage.DRAFT, centre=CENTRE), "by": EMPLOYEE},
        "[Brouillon] Un brouillon de fiche vous est confié",
    ),
    "case_message": (
        lambda: {"case": a_case()},
        "[MSTR-2026-0042] Nouveau message",
    ),
    "reminders": (
        lambda: {"reminders": [a_reminder_item()], "escalations": [a_reminder_item()]},
        "Rappel : des actions vous attendent",
    ),
    "digest": (
        lambda: {
            "today": dt.date(2026, 3, 28),
            "awaiting": [a_reminder_item()],
            "changes": [{"case": a_case(), "events": [EVENT], "url": f"{SITE}/dossiers/42/"}],
        },
        "Votre récapitulatif Soutien du 28/03/2026",
    ),
    "meeting_invitation": (
        lambda: {"meeting": a_meeting()},
        "Invitation : Réunion de saisine concertée — dossier MSTR-2026-0042 "
        "(Centre social L'Escale & <Nord>)",
    ),
    "two_factor_code": (
        lambda: {"code": "123456", "minutes": 10},
        "Votre code de connexion à Soutien",
    ),
    "decision_letter": (
        lambda: {
            "case": a_case(),
            "centre": CENTRE,
            "outcome": "Validée (soutien accordé)",
            "decided_on": "3 mars 2026",
            "url": f"{SITE}/documents/0a1b/",
            "contact": "Caf des Bouches-du-Rhône — mstr@caf13.exemple.fr",
        },
        "[MSTR-2026-0042] Lettre de décision des financeurs",
    ),
    "followup_questionnaire": (
        lambda: {
            "followup": FollowUp(milestone=Milestone.SIX_MONTHS),
            "case": a_case(stage=Stage.CLOSED),
            "centre": CENTRE,
            "url": f"{SITE}/suivi/dossier/42/6-mois/",
            "remaining": 2,
        },
        "[MSTR-2026-0042] Suivi à 6 mois : où en est votre centre ?",
    ),
    "followup_reminder": (
        lambda: {
            "followup": FollowUp(milestone=Milestone.TWELVE_MONTHS),
            "case": a_case(stage=Stage.CLOSED),
            "centre": CENTRE,
            "url": f"{SITE}/suivi/dossier/42/12-mois/",
            "remaining": 0,
        },
        "[MSTR-2026-0042] Rappel : suivi à 12 mois, votre réponse est attendue",
    ),
    "meeting_poll": (
        lambda: {
            "poll": DatePoll(pk=3, case=a_case(), kind=MeetingKind.REFERRAL),
            "slots": [
                DatePollSlot(starts_at=dt.datetime(2026, 12, 14, 14, 30, tzinfo=PARIS)),
                DatePollSlot(
                    starts_at=dt.datetime(2026, 12, 15, 9, 0, tzinfo=PARIS),
                    ends_at=dt.datetime(2026, 12, 15, 11, 0, tzinfo=PARIS),
                ),
            ],
            "answer_url": f"{SITE}/reunions/sondage/lien/abc/",
            "valid_days": 21,
        },
        "Quelles dates vous conviennent ? Réunion de saisine concertée — dossier MSTR-2026-0042",
    ),
    "selfcheck_yearly": (
        lambda: {"centre": CENTRE, "url": f"{SITE}/auto-diagnostic/"},
        "Auto-diagnostic : il y a un an, vous avez fait le point",
    ),
}

MISSING = "VARIABLE-ABSENTE"
KINDS = all_kinds()


@pytest.fixture
def strict_templates(settings):
    """A variable missing from the context shows instead of vanishing."""
    settings.SITE_URL = SITE
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine["OPTIONS"], "string_if_invalid": MISSING}}
        for engine in django_settings.TEMPLATES
    ]


def test_every_kind_has_a_sample_here():
    assert sorted(all_kinds()) == sorted(SAMPLES)


def test_every_kind_follows_peoples_choices():
    """No kind bypasses the preferences by deriving from the bare core base."""
    assert [
        name for name, kind in KINDS.items() if not issubclass(kind, PlatformNotification)
    ] == []


def test_every_kind_has_its_two_templates_in_the_app_that_sends_it():
    for name, kind in all_kinds().items():
        app = ROOT.joinpath(*kind.__module__.split(".")[:2])
        for template in kind.template_names():
            assert (app / "templates" / template).is_file(), (name, template)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_kind_renders_a_french_subject_and_a_complete_body(strict_templates, name):
    sample, subject = SAMPLES[name]
    rendered = all_kinds()[name](**sample()).render()
    assert rendered.subject == subject
    for text in (rendered.subject, rendered.body):
        assert not re.search(r"\{[{%#]|[}%#]\}", text)  # no template syntax left
        assert MISSING not in text  # no variable missing from the context
        assert not re.search(r"\b(None|True|False)\b", text)  # no Python value
        assert not re.search(r"&(#x?[0-9a-fA-F]+|amp|lt|gt|quot);", text)  # plain text
    assert not any(line.startswith("<Nord>") for line in rendered.body.splitlines())
    assert rendered.body.startswith("Bonjour")
    assert "\n\n\n" not in rendered.body


def test_a_name_typed_with_a_line_break_stays_on_its_line(strict_templates):
    meeting = a_meeting()
    body = KINDS["meeting_invitation"](meeting=meeting).render().body
    assert "Lieu : Caf des Bouches-du-Rhône, salle 3\n" in body


def test_the_case_frame_around_a_text(strict_templates):
    sample, _ = SAMPLES["case_returned"]
    assert KINDS["case_returned"](**sample()).render().body == (
        "Bonjour,\n\n"
        "La coordination vous demande de compléter votre fiche d'information. "
        "Son message :\n\nIl manque le budget.\n\nTout ce que vous aviez saisi est conservé.\n\n"
        "Dossier : MSTR-2026-0042 — Centre social L'Escale & <Nord>\n"
        "Étape : À compléter\n\n"
        f"Pour le consulter : {SITE}/dossiers/42/\n\n"
        f"Pour choisir comment vous êtes prévenu(e) : {SITE}/mon-compte/notifications/\n\n"
        "— Soutien, mission de soutien technique renforcé\n"
        "(message automatique, merci de ne pas y répondre)"
    )


def test_the_reminders_and_the_escalations_of_one_person(strict_templates):
    item = a_reminder_item()
    both = KINDS["reminders"](reminders=[item], escalations=[item]).render()
    line = (
        "- [MSTR-2026-0042] Centre social L'Escale & <Nord> : Donner l'avis de votre "
        f"institution (échéance le 31/03/2026, dans 3 jours)\n  {SITE}/dossiers/42/"
    )
    assert both.body == (
        "Bonjour,\n\n"
        f"Ces actions vous attendent sur la plateforme Soutien :\n{line}\n\n"
        "Ces étapes sont en retard depuis longtemps (alerte à la coordination) :\n"
        f"{line}\n  Attendu de : Ville de Marseille\n\n"
        f"Pour choisir comment vous êtes prévenu(e) : {SITE}/mon-compte/notifications/\n\n"
        "— Soutien, mission de soutien technique renforcé\n"
        "(message automatique, merci de ne pas y répondre)"
    )
    alert = KINDS["reminders"](reminders=[], escalations=[item]).render()
    assert alert.subject == "Alerte : des étapes en retard"
    assert alert.body.startswith("Bonjour,\n\nCes étapes sont en retard depuis longtemps")


def test_the_digest_lists_with_french_dates(strict_templates):
    sample, _ = SAMPLES["digest"]
    assert KINDS["digest"](**sample()).render().body == (
        "Bonjour,\n\nVoici votre récapitulatif du 28/03/2026.\n\n"
        "CE QUI VOUS ATTEND\n"
        "- [MSTR-2026-0042] Centre social L'Escale & <Nord> : Donner l'avis de votre "
        f"institution (échéance le 31/03/2026, dans 3 jours)\n  {SITE}/dossiers/42/\n\n"
        "CE QUI A CHANGÉ SUR VOS DOSSIERS\n"
        "- [MSTR-2026-0042] Centre social L'Escale & <Nord>\n"
        "  · 27/03 à 09:05 : Avis donné : Marseille — favorable\n"
        f"  {SITE}/dossiers/42/\n\n"
        f"Pour choisir comment vous êtes prévenu(e) : {SITE}/mon-compte/notifications/\n\n"
        "— Soutien, mission de soutien technique renforcé\n"
        "(message automatique, merci de ne pas y répondre)"
    )


def test_the_meeting_invitation_its_update_and_its_cancellation(strict_templates):
    meeting = a_meeting()
    kind = KINDS["meeting_invitation"]
    title = (
        "Réunion de saisine concertée — dossier MSTR-2026-0042 (Centre social L'Escale & <Nord>)"
    )
    assert kind(meeting=meeting).render().body == (
        f"Bonjour,\n\nVous êtes invité(e) à une réunion le 11{NBSP}décembre 2026 à "
        f"14{NBSP}h{NBSP}30.\n\n{title}\nLieu : Caf des Bouches-du-Rhône, salle 3\n\n"
        "Ordre du jour :\nPrésentation de la demande.\nAvis des partenaires.\n\n"
        "L'invitation jointe (fichier .ics) met à jour votre agenda.\n"
        "Ces informations sont confidentielles : merci de ne pas transférer ce message.\n\n"
        "Soutien — Mission de soutien technique renforcé"
    )
    update = kind(meeting=meeting, update=True).render()
    assert update.subject == f"Modification : {title}"
    assert "La réunion a été modifiée. Nouvelle date : le 11" in update.body
    cancel = kind(meeting=meeting, cancel=True, update=True).render()
    assert cancel.subject == f"Annulation : {title}"
    assert "Lieu" not in cancel.body and "Ordre du jour" not in cancel.body


@pytest.mark.django_db
def test_send_follows_each_persons_choice_and_leaves_out_whoever_acted_and_who_left(settings):
    settings.SITE_URL = SITE
    told = UserFactory(email="told@exemple.fr")
    later = UserFactory(email="later@exemple.fr")
    actor = UserFactory(email="actor@exemple.fr")
    UserFactory(email="gone@exemple.fr", is_active=False)
    preferences.preferences_set(
        user=later, by=later, values={NotificationCategory.CASE_ACTIVITY: Delivery.DIGEST}
    )
    notice = KINDS["case_notice"](case=a_case(), subject="Essai", text="Un changement.")
    rows = notice.send(
        to=["Told@Exemple.fr", later, actor.email, "externe@exemple.fr", "gone@exemple.fr", ""],
        exclude=actor,
    )
    assert [(row.to, sorted(row.headers)) for row in rows] == [
        ("externe@exemple.fr", []),  # no account: always told, nothing to unsubscribe from
        ("told@exemple.fr", ["List-Unsubscribe", "List-Unsubscribe-Post"]),
    ]
    assert preferences.read_unsubscribe_token(
        rows[1].headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[1]
    ) == (told, NotificationCategory.CASE_ACTIVITY)
    assert {row.subject for row in rows} == {"[MSTR-2026-0042] Essai"}
    assert not any(row.erase_after_sending for row in rows)


@pytest.mark.django_db
def test_account_and_security_emails_go_to_everyone_and_secrets_are_marked(settings):
    settings.SITE_URL = SITE
    user = UserFactory(email="camille@exemple.fr")
    [row] = KINDS["two_factor_code"](code="123456", minutes=10).send(to=[user.email])
    assert (row.to, row.headers, row.erase_after_sending) == ("camille@exemple.fr", {}, True)
    assert "Voici votre code de connexion à Soutien : 123456\n" in row.body


@pytest.mark.django_db
def test_the_reminder_email_costs_one_insert(settings, django_assert_num_queries):
    """The reminder run already knows each person's choice: sending asks nothing more."""
    settings.SITE_URL = SITE
    user = UserFactory(email="partenaire@exemple.fr")
    reminders = KINDS["reminders"](reminders=[a_reminder_item()], escalations=[])
    with django_assert_num_queries(1):
        [row] = reminders.send(to=[user])
    assert row.to == "partenaire@exemple.fr" and "List-Unsubscribe" in row.headers


def test_a_kind_needs_a_unique_name_a_category_and_its_recipients():
    with pytest.raises(ValueError, match="category"):

        class Unfinished(Notification):
            name = "essai_sans_categorie"

    with pytest.raises(ValueError, match="Two notifications"):

        class Twice(Notification):
            name = "case_notice"
            category = NotificationCategory.CASE_ACTIVITY
            recipients = "personne"

    assert "essai_sans_categorie" not in REGISTRY
    assert REGISTRY["case_notice"].__module__ == "soutien.cases.notifications"


def test_only_the_notifications_write_to_the_outbox():
    """Every email goes through a Notification's send(); the meeting invitations still
    queue their rendered text themselves (with the .ics, beside their own preferences)."""
    allowed = {
        "soutien/core/outbox.py",
        "soutien/core/notifications.py",
        "soutien/meetings/invitations.py",
    }
    callers = {
        str(path.relative_to(ROOT))
        for folder in ("soutien", "web", "config")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(
            r"outbox_enqueue\(|EmailMessage\(|(?<!def )send_mail\(|send_mass_mail\(",
            path.read_text(encoding="utf-8"),
        )
    }
    assert callers - allowed == set()


def category_label(category: str) -> str:
    if category == preferences.DIGEST:
        return "Récapitulatif quotidien"
    return NotificationCategory(category).label


def kinds_table() -> list[str]:
    return [
        f"| `{name}` | {category_label(kind.category)} | {kind.recipients} |"
        for name, kind in all_kinds().items()
    ]


def test_the_docs_list_every_kind_with_its_category_and_recipients():
    docs = (ROOT / "docs" / "notifications.md").read_text(encoding="utf-8")
    missing = [line for line in kinds_table() if line not in docs]
    assert missing == [], "Add these lines to docs/notifications.md:\n" + "\n".join(missing)
