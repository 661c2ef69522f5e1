"""Date polls: the organiser of a meeting with partners proposes 2 to 6 slots, each
invitee answers yes / if needed / no, and the organiser picks one, which plans the meeting.

The `Meeting` itself stays in `soutien.cases.models` (its migrations live there).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from soutien.cases.enums import MeetingKind
from soutien.cases.models import Case, Meeting

USER = settings.AUTH_USER_MODEL


class DatePoll(models.Model):
    """The slots proposed for one meeting, and who is asked."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="date_polls")
    kind = models.CharField("type de réunion", max_length=20, choices=MeetingKind.choices)
    place = models.CharField("lieu", max_length=255, blank=True)
    video_link = models.URLField("lien de visioconférence", blank=True)
    agenda = models.TextField("ordre du jour", blank=True)
    attendees = models.ManyToManyField(
        USER, verbose_name="personnes invitées", blank=True, related_name="date_polls"
    )
    external_emails = models.TextField("invités extérieurs (adresses électroniques)", blank=True)
    created_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="created_date_polls"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The meeting planned from the slot picked: the poll is closed once it is set.
    meeting = models.OneToOneField(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="date_poll"
    )
    picked_at = models.DateTimeField("créneau retenu le", null=True, blank=True)

    PERSONAL_FIELDS = (
        "place",
        "video_link",
        "agenda",
        "external_emails",
        "attendees",
        "created_by",
    )
    OTHER_FIELDS = ("kind",)

    class Meta:
        verbose_name = "sondage de dates"
        verbose_name_plural = "sondages de dates"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Sondage : {self.get_kind_display()} (dossier {self.case_id})"

    @property
    def is_open(self) -> bool:
        return self.picked_at is None


class DatePollSlot(models.Model):
    """One proposed date and time."""

    poll = models.ForeignKey(DatePoll, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin", null=True, blank=True)

    class Meta:
        verbose_name = "créneau proposé"
        verbose_name_plural = "créneaux proposés"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="date_poll_slot_ends_after_start",
            ),
            models.UniqueConstraint(fields=["poll", "starts_at"], name="date_poll_slot_once"),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class Answer(models.TextChoices):
    YES = "yes", "Oui"
    IF_NEEDED = "if_needed", "Si besoin"
    NO = "no", "Non"


class DatePollAnswer(models.Model):
    """One invitee's answer for one slot. The invitee is named by their address (a
    platform user's, or an external guest's), so that both answer the same way."""

    poll = models.ForeignKey(DatePoll, on_delete=models.CASCADE, related_name="answers")
    slot = models.ForeignKey(DatePollSlot, on_delete=models.CASCADE, related_name="answers")
    email = models.EmailField("adresse de la personne invitée", blank=True)
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="date_poll_answers"
    )
    answer = models.CharField("réponse", max_length=10, choices=Answer.choices)
    answered_at = models.DateTimeField("répondu le")

    PERSONAL_FIELDS = ("email", "user")
    OTHER_FIELDS = ("answer",)

    class Meta:
        verbose_name = "réponse au sondage"
        verbose_name_plural = "réponses au sondage"
        constraints = [
            # Once anonymised the address is blank: several blank rows may remain.
            models.UniqueConstraint(
                fields=["slot", "email"],
                condition=~Q(email=""),
                name="date_poll_answer_once_per_person",
            ),
        ]

    def __str__(self):
        return f"{self.email} : {self.get_answer_display()}"
