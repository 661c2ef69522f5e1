"""A figure of the evaluation, and how it is shown (French formatting, small-number masking).

Every figure knows how many cases it was computed over (``base``). For the evaluation body
and the partners, a figure computed over fewer than 3 cases is shown as « < 3 », in pages,
exports and the PDF alike: they all print ``Shown.text``.

A masked figure must not come back by subtraction: when figures add up to a published
total (the preventive and crisis requests of a row, the years of a column…), a single
masked one would be the total minus the others. ``complementary`` then hides one more
figure of that group, shown « secret » (secondary suppression, as in official statistics).
A share is masked as well when the cases it leaves out are fewer than 3 (80 % of 5
decisions reveals the one refusal).
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from soutien.evaluation.policies import SMALL_NUMBER_THRESHOLD

MASK = "< 3"
HIDDEN = "secret"  # secondary suppression
NO_DATA = "—"
# Said wherever masked figures are shown (pages, exports, PDF).
MASKING_NOTE = (
    "Tout chiffre calculé sur moins de 3 dossiers, ou qui en révélerait moins de 3, est "
    "affiché « < 3 » ; un chiffre qui permettrait de retrouver un chiffre masqué par "
    "soustraction est affiché « secret »."
)


@dataclass(frozen=True)
class Cell:
    """A raw figure: a count (``unit == ""`` and ``count=True``), a rate, a duration…

    ``base`` is the number of cases it is computed over; ``numerator`` the cases counted
    in a share (a share of 1 case in 10 would reveal that case, so it is masked too, and
    so would 9 in 10: the case left out).
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
            left_out = self.base - self.numerator
            small = small or 0 < self.numerator < SMALL_NUMBER_THRESHOLD
            small = small or 0 < left_out < SMALL_NUMBER_THRESHOLD
        return small

    @property
    def cases(self) -> float:
        """The cases this figure is about (for a share, those it is computed over: even
        0 % tells something of them)."""
        return self.value if self.count and self.value is not None else self.base

    def show(self, masked: bool, *, secret: bool = False) -> "Shown":
        if masked and self.is_small():
            return Shown(MASK, None)
        if masked and secret:
            return Shown(HIDDEN, None)
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
        return self.text in (MASK, HIDDEN)


def complementary(cells: dict[Hashable, Cell], groups: Iterable[Iterable[Hashable]]) -> set:
    """The figures to hide as well (``secret``) so that no masked one can be recovered.

    ``groups``: keys of figures that add up to a published total. While a group holds
    exactly one hidden figure, the smallest other figure that is not zero is hidden too
    (a zero reveals no case, and a group whose other figures are all zero means the total
    itself is small, hence masked). Hiding may break another group, so this repeats until
    every group is safe; it only ever adds figures, so it ends.
    """
    groups = [list(group) for group in groups]
    hidden = {key for key, cell in cells.items() if cell.is_small()}
    secret: set = set()
    changed = True
    while changed:
        changed = False
        for group in groups:
            concealed = [key for key in group if key in hidden or key in secret]
            if len(concealed) != 1:
                continue
            others = [key for key in group if key not in concealed and cells[key].cases]
            if others:
                secret.add(min(others, key=lambda key: (cells[key].cases, str(key))))
                changed = True
    return secret


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
