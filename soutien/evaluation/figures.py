"""A figure of the evaluation, and how it is shown (French formatting, small-number masking).

Every figure knows how many cases it was computed over (``base``). For the evaluation body
and the partners, a figure computed over fewer than 3 cases is shown as « < 3 », in pages,
exports and the PDF alike: they all print ``Shown.text``.
"""

from dataclasses import dataclass

from soutien.evaluation.policies import SMALL_NUMBER_THRESHOLD

MASK = "< 3"
NO_DATA = "—"


@dataclass(frozen=True)
class Cell:
    """A raw figure: a count (``unit == ""`` and ``count=True``), a rate, a duration…

    ``base`` is the number of cases it is computed over; ``numerator`` the cases counted
    in a share (a share of 1 case in 10 would reveal that case, so it is masked too).
    """

    value: float | int | None
    base: int
    unit: str = ""
    count: bool = False
    numerator: int | None = None
    decimals: int = 0

    def is_small(self) -> bool:
        small = 0 < self.base < SMALL_NUMBER_THRESHOLD
        if self.numerator is not None:
            small = small or 0 < self.numerator < SMALL_NUMBER_THRESHOLD
        return small

    def show(self, masked: bool) -> "Shown":
        if masked and self.is_small():
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


def count(n: int) -> Cell:
    return Cell(value=n, base=n, count=True)


def share(numerator: int, denominator: int) -> Cell:
    """A percentage of cases, masked if either side is small."""
    value = 100 * numerator / denominator if denominator else None
    return Cell(value=value, base=denominator, unit="%", numerator=numerator)


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
