"""Text helpers for what the platform writes into emails."""


def one_line(value) -> str:
    """`value` on a single line: every line break (CR, LF, and the Unicode ones) and every
    run of spaces becomes one space. For a name, a title or a subject inserted into an
    email, so that what someone typed can never add a line or a header there."""
    return " ".join(str(value if value is not None else "").split())
