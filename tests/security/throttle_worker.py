"""A server process, for tests/security/test_shared_throttle.py: counts attempts against
one rate limit in the database named by DATABASE_URL.

``python -m tests.security.throttle_worker create``: create the counters' table.
``python -m tests.security.throttle_worker count TRIES LIMIT``: wait for a line on stdin
(all workers start together), make TRIES attempts, print how many were allowed.
"""

import sys

import django


def main(argv: list[str]) -> None:
    django.setup()
    from django.db import connection

    from soutien.security.models import ThrottleCounter
    from soutien.security.throttle import throttle_exceeded

    if argv[0] == "create":
        with connection.schema_editor() as editor:
            editor.create_model(ThrottleCounter)
        return
    tries, limit = int(argv[1]), int(argv[2])
    sys.stdin.readline()
    allowed = sum(
        not throttle_exceeded("essai", "192.0.2.1", limit=limit, window=3600) for _ in range(tries)
    )
    print(allowed)


if __name__ == "__main__":
    main(sys.argv[1:])
