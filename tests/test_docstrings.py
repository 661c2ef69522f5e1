"""One language for docstrings (issue #13): English, as the code.

Every docstring of `soutien/` (modules, classes, functions) is English, with two
exceptions, both the project's rule:

- a policy function (`can_*` and `must_*` in a `policies.py` module) states its rule in
  French, for the people who decide the rules;
- French UI wording quoted inside an English docstring, between « and », stays French.

The workflow table's French wording (soutien/cases/workflow.py: labels, history, the
generated docs/workflow.md) lives in string literals, not docstrings: it is not read here.

The heuristic is deliberately simple. Text between « », code between backticks,
indented code examples (lines indented by four spaces or more) and the proper names of
`PROPER_NAMES` are set aside first; what is left is French when

- it has a letter with a French accent (é, è, à, ç, ô, œ…): English prose never needs
  one, so a French term used in English is quoted « » like any UI wording; or
- one of its sentences has at least `FRENCH_WORDS_PER_SENTENCE` French function words
  (le, les, une, est, pour, avec…) and more of them than English ones (the, of, is…).
"""

import ast
import inspect
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Packages left out of the check while another developer rewrites them (none now).
BEING_REWRITTEN: tuple[str, ...] = ()

# Policy functions whose docstring states the rule in French, for non-developers.
FRENCH_POLICY_PREFIXES = ("can_", "must_")

# Place names written with an accent, English docstrings included.
PROPER_NAMES = ("Bouches-du-Rhône",)

QUOTED = re.compile(r"«[^»]*»", re.DOTALL)
CODE_EXAMPLE = re.compile(r"^ {4,}\S.*$", re.MULTILINE)
CODE = re.compile(r"``[^`]*``|`[^`]*`")
ACCENTED = re.compile(r"[àâäçéèêëîïôöùûüÿœæ]", re.IGNORECASE)
WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ]+", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.;:!?]\s|\n\s*\n")

# Words that are French and never (or hardly ever) English; "a", "on", "en" and "de"
# are left out, being English too or common in English prose about French things.
FRENCH_FUNCTION_WORDS = frozenset(
    "le la les un une des du au aux et est sont pour avec dans qui que sur pas ne ce "
    "cette ces il elle ils elles se sa son ses leur leurs par ou si lors tant chaque "
    "être peut doit".split()
)
ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to is are a an in for with by its that which or not be on at from as "
    "it this their who what when each one".split()
)
FRENCH_WORDS_PER_SENTENCE = 2


def looks_french(text: str) -> bool:
    """Whether ``text`` (a docstring) is French, by the heuristic of this module."""
    prose = CODE.sub(" ", QUOTED.sub(" ", CODE_EXAMPLE.sub("", inspect.cleandoc(text))))
    for name in PROPER_NAMES:
        prose = prose.replace(name, " ")
    if ACCENTED.search(prose):
        return True
    for sentence in SENTENCE_END.split(prose):
        words = [word.lower() for word in WORD.findall(sentence)]
        french = sum(word in FRENCH_FUNCTION_WORDS for word in words)
        english = sum(word in ENGLISH_FUNCTION_WORDS for word in words)
        if french >= FRENCH_WORDS_PER_SENTENCE and french > english:
            return True
    return False


def is_policy_rule(path: Path, node: ast.AST) -> bool:
    return (
        path.name == "policies.py"
        and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith(FRENCH_POLICY_PREFIXES)
    )


def checked_modules():
    for path in sorted((ROOT / "soutien").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" not in relative and not relative.startswith(BEING_REWRITTEN):
            yield path, relative, ast.parse(path.read_text(), filename=relative)


def docstrings():
    """(place, docstring) for every module, class and function of `soutien/`."""
    for path, relative, tree in checked_modules():
        for node in ast.walk(tree):
            if not isinstance(
                node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
            ):
                continue
            text = ast.get_docstring(node)
            if text and not is_policy_rule(path, node):
                name = getattr(node, "name", "(module)")
                yield f"{relative}:{getattr(node, 'lineno', 1)} {name}", text


def test_every_docstring_is_english():
    places = dict(docstrings())
    assert any(place.startswith("soutien/cases/services.py") for place in places)
    offenders = [place for place, text in places.items() if looks_french(text)]
    assert offenders == []


def test_every_policy_rule_is_stated_in_french():
    """The other side of the exception: a `can_*` (or `must_*`) function of a policies
    module states its rule in French, for the people who decide the rules."""
    offenders = [
        f"{relative}:{node.lineno} {node.name}"
        for path, relative, tree in checked_modules()
        for node in ast.walk(tree)
        if is_policy_rule(path, node) and not looks_french(ast.get_docstring(node) or "")
    ]
    assert offenders == []


def test_the_heuristic_tells_french_from_english():
    # Rules taken from the code base, before and after translation.
    assert looks_french("Seul le gestionnaire valide le rapport ; les partenaires y accèdent.")
    assert looks_french("Le centre peut écarter une action proposée, en disant pourquoi.")
    assert looks_french("Crée un lien d'invitation à usage unique.")
    assert looks_french("La coordination refuse une demande ; la personne reçoit un message.")
    # No accent, but French words: the sentence rule catches it.
    assert looks_french("Le gestionnaire peut retirer sa demande jusqu'a la decision.")
    assert not looks_french("Only the manager validates the report; the partners read it.")
    assert not looks_french("A case awaits the manager's answer on « Ce qu'il faut faire ».")
    assert not looks_french("Set ``case.due_at`` from `les_dates` and its stage.")
    assert not looks_french("The social centres of the Bouches-du-Rhône.")
    # An English sentence that happens to hold one or two French-looking words.
    assert not looks_french("On a par with its parent, the son case keeps the due date.")
    # An indented code example may quote French strings.
    example = 'Write it so:\n\n    recipients = "le prestataire et la coordination"\n\nThen send.'
    assert not looks_french(example)


def test_french_policy_rules_stay_out_of_the_check():
    source = ast.parse('def can_read(user):\n    """Seul le gestionnaire lit."""\n')
    function = source.body[0]
    assert is_policy_rule(ROOT / "soutien/cases/policies.py", function)
    assert not is_policy_rule(ROOT / "soutien/cases/services.py", function)
