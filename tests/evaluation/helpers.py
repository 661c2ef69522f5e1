def texts(table) -> dict[str, list[str]]:
    """A table as {row label: [cell texts]}, to compare with numbers written in a test."""
    return {row[0]: [str(cell) for cell in row[1:]] for row in table.rows}
