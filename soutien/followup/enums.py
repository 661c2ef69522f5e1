"""The answers of the follow-up questionnaire, as choices the evaluation can count.

The situation uses the values of the closure outcome (``ClosureOutcome``): the
situation a year later compares with the one recorded at closure.
"""

from django.db import models

from soutien.cases.enums import ClosureOutcome


class Milestone(models.IntegerChoices):
    SIX_MONTHS = 6, "Suivi à 6 mois"
    TWELVE_MONTHS = 12, "Suivi à 12 mois"


# The situation now, comparable with the closure outcome (same values).
Situation = ClosureOutcome


class ActionsContinued(models.TextChoices):
    ALL = "all", "Toutes"
    SOME = "some", "Certaines"
    NONE = "none", "Aucune"


class WouldAskAgain(models.TextChoices):
    YES = "yes", "Oui"
    NO = "no", "Non"
    UNSURE = "unsure", "Je ne sais pas"
