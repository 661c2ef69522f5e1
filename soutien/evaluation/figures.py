"""A figure of the evaluation, and how it is shown (French formatting, masking).

Every figure knows the figures of the published grid it rests on (``keys``, see
``soutien.evaluation.grid``): a count its own, a share its numerator and denominator, a
median or an average the cases it is computed over. For the evaluation body and the
partners, a figure is shown only if the grid publishes all of them; otherwise it reads
« masqué », in pages, exports and the PDF alike (they all print ``Shown.text``). The
coordination sees every figure.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format

MASK = "masqué"
NO_DATA = "—"
# Said wherever masked figures are shown (pages, exports, PDF).
MASKING_NOTE = (
    "« masqué » : chiffre non publié, parce qu'il porte sur moins de 3 dossiers ou qu'il "
    "permettrait, rapproché d'autres chiffres publiés (autre période, autre filtre, "
    "total), de retrouver moins de 3 dossiers. Les chiffres publiés sont les mêmes quels "
    "que soient la page, l'export et le filtre choisis."
)


def as_of_note(*, masked: bool, current: bool, as_of) -> str:
    """What the page, its PDF, its exports and the map say of masked figures that are not
    the cases as they stand (one wording for every format): taken at ``as_of``, or still
    being prepared (no grid yet: every figure masked). Empty otherwise."""
    if not masked or current:
        return ""
    if as_of is None:
        return (
            "Les chiffres publiés sont en préparation : ils s'afficheront dans quelques "
            "minutes. D'ici là, chaque chiffre est masqué."
        )
    local = timezone.localtime(as_of)
    return (
        f"Chiffres arrêtés le {date_format(local, 'j F Y')} à {local:%H}h{local:%M} : les "
        "changements plus récents seront pris en compte dans quelques minutes."
    )


@dataclass(frozen=True)
class Cell:
    """A raw figure: a count (``count=True``), a rate, a duration…

    ``base`` is the number of cases it is computed over; ``keys`` the figures of the
    published grid it rests on (a share reveals its numerator and its denominator).
    """

    value: float | int | None
    base: int
    unit: str = ""
    count: bool = False
    decimals: int = 0
    keys: tuple = ()

    def is_published(self, grid) -> bool:
        """A zero count reveals no case; anything else needs every figure it rests on."""
        if self.count and self.value == 0:
            return True
        return bool(self.keys) and grid is not None and all(map(grid.is_published, self.keys))

    def show(self, masked: bool, grid=None) -> "Shown":
        if masked and not self.is_published(grid):
            return Shown(MASK, None)
        if self.value is None or (not self.count and self.base == 0):
            return Shown(NO_DATA, None)
        return Shown(
            format_number(self.value, self.decimals, self.unit),
            self.value,
            unit=self.unit,
            decimals=self.decimals,
        )


@dataclass(frozen=True)
class Shown:
    """What every output prints: the text, and the number when it may be given."""

    text: str
    number: float | int | None
    unit: str = ""
    decimals: int = 0

    def __str__(self):
        return self.text

    @property
    def is_masked(self) -> bool:
        return self.text == MASK


def count(n: int, key=None) -> Cell:
    return Cell(value=n, base=n, count=True, keys=(key,) if key is not None else ())


def share(numerator: int, denominator: int, keys=()) -> Cell:
    """A percentage of cases; ``keys``: its numerator's and its denominator's figures."""
    value = 100 * numerator / denominator if denominator else None
    return Cell(value=value, base=denominator, unit="%", keys=tuple(keys))


def format_number(value, decimals: int = 0, unit: str = "") -> str:
    if isinstance(value, int) and not decimals:
        text = f"{value:,}".replace(",", "\u202f")
    else:
        text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    if unit == "%":
        return f"{text}\u202f%"
    if unit:
        return f"{text}\u00a0{unit}"
    return text
