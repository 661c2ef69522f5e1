"""Benchmark data written with PostgreSQL's COPY (psycopg 3 ``cursor.copy``).

Run inside a Django process on the bench database (``config.settings.dev``: the demo
accounts need DEBUG, and this database is thrown away). ``generate(n_cases)``:

1. migrates, loads the reference data, the demo centres and the eleven demo accounts,
   and gives each demo account a confirmed TOTP device (the benchmark computes its codes
   from the stored key to log in through the real pages);
2. writes 4,000 centres (3,000 associations, the rest run by the reference federations),
   then ``n_cases`` cases with their information form, field of work, decision, opinions
   and timeline events, in realistic proportions: most cases closed, refused or closed
   without follow-up, a few percent active, part of them overdue;
3. computes the stored due dates and the evaluation's facts with their groups
   (``soutien.evaluation.facts.rebuild``: about 4 min 30 s at a million cases);
4. resets the identity sequences and runs ``VACUUM ANALYZE``.

Everything is one convention (the current one): a stress test far beyond the national
volume, where a partner concerned by every case sees a million cases.
"""

import datetime as dt
import random
import time

CENTRES = 4000
ASSOCIATIONS = 3000
SPAN_DAYS = 10 * 365

# (stage, weight per 10,000): terminal stages first, then the active ones.
STAGE_WEIGHTS = [
    ("closed", 7750),
    ("refused", 550),
    ("closed_without_follow_up", 650),
    ("draft", 50),
    ("submitted", 100),
    ("returned", 50),
    ("referral", 150),
    ("diagnostic", 300),
    ("report_review", 100),
    ("restitution", 100),
    ("support", 200),
]
ACTIVE = {"draft", "submitted", "returned", "referral", "diagnostic", "report_review"}
ACTIVE |= {"restitution", "support"}
PROVIDED = {"diagnostic", "report_review", "restitution", "support", "closed"}
# Order of the stages a case walks through (a refused or withdrawn one stops early).
WALK = ["submitted", "referral", "diagnostic", "report_review", "restitution", "support"]
EVENT_OF = {
    "submitted": ("submit", "Transmettre la fiche"),
    "referral": ("open_referral", "Ouvrir la saisine concertée"),
    "diagnostic": ("validate", "Valider la demande"),
    "report_review": ("submit_report", "Transmettre le rapport"),
    "restitution": ("validate_report", "Valider le rapport"),
    "support": ("record_restitution", "Enregistrer la restitution"),
    "closed": ("close", "Clôturer le dossier"),
    "refused": ("refuse", "Refuser la demande"),
    "closed_without_follow_up": ("close_without_follow_up", "Classer sans suite"),
    "returned": ("return_for_completion", "Renvoyer pour complément"),
}
CLOSURE_OUTCOMES = ["improved", "improved", "stabilised", "stabilised", "deteriorated"]
OPINIONS = ["favourable", "favourable", "favourable", "reserved", "unfavourable"]
BATCH = 50_000
NULL = "\\N"


def _reference_setup() -> dict:
    """Migrations, reference data, demo centres and accounts, TOTP devices."""
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from soutien.accounts.models import User
    from soutien.directory.demo import demo_accounts, load_demo_data
    from soutien.directory.models import Domain, Organisation, OrganisationKind
    from soutien.directory.reference import load_reference_data

    call_command("migrate", verbosity=0, interactive=False)
    load_reference_data()
    load_demo_data()
    for account in demo_accounts():
        user = User.objects.get(email=account.email)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Banc de mesure", confirmed=True)
    funders = list(
        Organisation.objects.filter(kind=OrganisationKind.FUNDER).values_list(
            "pk", "funder_level", "commune_id"
        )
    )
    return {
        "provider": Organisation.objects.get(kind=OrganisationKind.PROVIDER).pk,
        "federations": list(
            Organisation.objects.filter(kind=OrganisationKind.FEDERATION).values_list(
                "pk", flat=True
            )
        ),
        "wide_funders": [pk for pk, level, _ in funders if level != "commune"],
        "commune_funder": {commune: pk for pk, level, commune in funders if level == "commune"},
        "domains": list(Domain.objects.values_list("pk", flat=True)),
        "coordinator": User.objects.get(email="coordination@caf13.demo").pk,
        "consultant": User.objects.get(email="consultant@prestataire.demo").pk,
        "board_member": User.objects.get(email="administrateur@centre.demo").pk,
    }


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - our tables
    return cursor.fetchone()[0]


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples of str) into table, in batches; returns the row count."""
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(sql) as copy:
        chunk = []
        for row in rows:
            chunk.append("\t".join(row))
            count += 1
            if len(chunk) >= BATCH:
                copy.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            copy.write("\n".join(chunk) + "\n")
    return count


def _centres(cursor, ref: dict, rng: random.Random) -> list[tuple[int, int, int]]:
    """Associations and centres; returns every centre as (id, manager_id, commune_id)."""
    cursor.execute("SELECT id, latitude, longitude FROM directory_commune ORDER BY id")
    communes = cursor.fetchall()
    cursor.execute("SELECT id FROM directory_commune WHERE name = 'Marseille'")
    marseille = cursor.fetchone()[0]
    first_org = _next_id(cursor, "directory_organisation")
    org_columns = ["id", "name", "short_name", "kind", "funder_level", "email", "phone"]
    org_columns += ["website", "address", "description", "is_fictitious"]
    _copy(
        cursor,
        "directory_organisation",
        org_columns,
        (
            (str(first_org + i), f"Association banc {i}", f"Banc {i}", "association")
            + ("", "", "", "", "", "", "t")
            for i in range(ASSOCIATIONS)
        ),
    )
    first_centre = _next_id(cursor, "directory_socialcentre")
    rows, centres = [], []
    for i in range(CENTRES):
        # A third of the centres in Marseille, as in the department.
        commune = marseille if i % 3 == 0 else communes[rng.randrange(len(communes))][0]
        if i < ASSOCIATIONS:
            manager = first_org + i
        else:
            manager = ref["federations"][i % len(ref["federations"])]
        centre_id = first_centre + i
        centres.append((centre_id, manager, commune))
        rows.append(
            (
                str(centre_id),
                f"Centre social banc {i}",
                f"{1 + i % 120} rue du Banc",
                "13000",
                NULL,
                NULL,
                "t" if i % 2 else "f",
                NULL,
                NULL,
                "",
                "",
                "t",
                str(commune),
                str(manager),
            )
        )
    _copy(
        cursor,
        "directory_socialcentre",
        [
            "id",
            "name",
            "address",
            "postcode",
            "latitude",
            "longitude",
            "priority_area",
            "caf_approval_start",
            "caf_approval_end",
            "email",
            "phone",
            "is_fictitious",
            "commune_id",
            "manager_id",
        ],
        rows,
    )
    # The demo centres take cases too (the demo accounts' own centres among them).
    cursor.execute("SELECT id, manager_id, commune_id FROM directory_socialcentre")
    return cursor.fetchall()


class _Clock:
    """Timestamps as text, fast: one string per day, then hours and minutes."""

    def __init__(self, now: dt.datetime):
        self.now = int(now.timestamp())
        start = now.date() - dt.timedelta(days=SPAN_DAYS + 400)
        self.origin = int(dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC).timestamp())
        self.days = [(start + dt.timedelta(days=d)).isoformat() for d in range(SPAN_DAYS + 800)]

    def text(self, ts: int) -> str:
        offset = ts - self.origin
        day, seconds = divmod(offset, 86400)
        return f"{self.days[day]} {seconds // 3600:02d}:{seconds % 3600 // 60:02d}:00+00"


def _cases(cursor, ref: dict, centres, n_cases: int, rng: random.Random, clock) -> dict:
    pool = [stage for stage, weight in STAGE_WEIGHTS for _ in range(weight)]
    first_case = _next_id(cursor, "cases_case")
    now = clock.now
    day = 86400
    cases, forms, domains, decisions, opinions, events = [], [], [], [], [], []
    decision_id = _next_id(cursor, "cases_decision")
    opinion_id = _next_id(cursor, "cases_opinion")
    event_id = _next_id(cursor, "cases_caseevent")
    link_id = _next_id(cursor, "cases_informationform_domains")
    stats = {"cases": 0, "active": 0}
    t = clock.text
    coordinator, consultant = str(ref["coordinator"]), str(ref["consultant"])
    board_member = str(ref["board_member"])
    for i in range(n_cases):
        case_id = first_case + i
        centre_id, manager_id, commune_id = centres[rng.randrange(len(centres))]
        stage = rng.choice(pool)
        active = stage in ACTIVE
        stats["active"] += active
        if active:  # submitted in the last 13 months
            submitted = now - rng.randrange(5 * day, 400 * day)
        else:
            submitted = now - rng.randrange(200 * day, SPAN_DAYS * day)
        created = submitted - rng.randrange(day, 20 * day)
        dates = {"submitted": submitted}
        # Walk the stages up to the case's one, each step taking a plausible time.
        moment = submitted
        path = ["submitted"]
        if stage == "draft":
            path, dates = [], {}
            moment = created
        elif stage == "returned":
            moment += rng.randrange(day, 10 * day)
            path.append("returned")
            dates["returned"] = moment
        elif stage != "submitted":
            moment += rng.randrange(day, 15 * day)
            path.append("referral")
            dates["referral"] = moment
            if stage in ("refused", "closed_without_follow_up"):
                moment += rng.randrange(5 * day, 50 * day)
                path.append(stage)
                dates["decided"] = dates[stage] = moment
            elif stage != "referral":
                durations = [rng.randrange(5, 50), rng.randrange(15, 90), rng.randrange(1, 20)]
                durations += [rng.randrange(5, 60), rng.randrange(30, 300)]
                for step, name in enumerate(WALK[2:] + ["closed"]):
                    moment += durations[step] * day + rng.randrange(day)
                    path.append(name)
                    dates[name] = moment
                    if name == stage:
                        break
                dates["decided"] = dates["diagnostic"]
        if moment >= now:  # every step lies in the past
            shift = moment - now + rng.randrange(day, 60 * day)
            dates = {key: value - shift for key, value in dates.items()}
            created -= shift
            moment -= shift
        stage_changed = moment
        has_provider = stage in PROVIDED
        consultant_id = consultant if has_provider and i % 50 == 0 else NULL
        validated = dates.get("restitution")  # entering restitution = report validated
        cases.append(
            (
                str(case_id),
                NULL if stage == "draft" else f"MSTR-B-{i:08d}",
                stage,
                "preventive" if rng.random() < 0.6 else "crisis",
                t(created),
                t(stage_changed),
                t(stage_changed),
                t(dates["submitted"]) if "submitted" in dates else NULL,
                t(dates["referral"]) if "referral" in dates else NULL,
                t(dates["decided"]) if "decided" in dates else NULL,
                t(dates["report_review"]) if "report_review" in dates else NULL,
                t(dates["report_review"]) if "report_review" in dates else NULL,
                t(validated) if validated else NULL,
                t(dates["support"]) if "support" in dates else NULL,
                t(dates["closed"]) if "closed" in dates else NULL,
                rng.choice(CLOSURE_OUTCOMES) if stage == "closed" else "",
                "",
                str(len(path)),
                NULL,
                str(centre_id),
                consultant_id,
                board_member if i % 100 == 0 else NULL,
                str(manager_id),
                str(ref["provider"]) if has_provider else NULL,
                "t" if rng.random() < 0.05 else "f",  # started from a self-check
                "",  # closure summary
            )
        )
        forms.append(
            (str(case_id), "Personne fictive", "Présidence", "04 00 00 00 00")
            + ("banc@centre.test", "", "Difficultés de trésorerie.", "", "Un regard extérieur.")
            + ("Les mardis.", "t", "t", t(created), NULL)
        )
        domains.append((str(link_id), str(case_id), str(rng.choice(ref["domains"]))))
        link_id += 1
        if "decided" in dates:
            outcome = {"refused": "refused", "closed_without_follow_up": stage}.get(
                stage, "validated"
            )
            decisions.append(
                (str(decision_id), outcome, "Hors du champ." if outcome == "refused" else "")
                + ("Décidé en comité.", t(dates["decided"]), str(case_id), coordinator)
            )
            decision_id += 1
        if "referral" in dates:
            partners = list(ref["wide_funders"])
            if commune_id in ref["commune_funder"]:
                partners.append(ref["commune_funder"][commune_id])
            for partner in partners:
                given = stage != "referral" or rng.random() < 0.5
                opinions.append(
                    (
                        str(opinion_id),
                        rng.choice(OPINIONS) if given else "pending",
                        "",
                        t(dates["referral"] + rng.randrange(day, 5 * day)) if given else NULL,
                        str(case_id),
                        NULL,
                        str(partner),
                    )
                )
                opinion_id += 1
        events.append(
            (str(event_id), "create", "Brouillon créé", t(created), "", "draft", "", "case")
            + (board_member, str(case_id))
        )
        event_id += 1
        previous = "draft"
        for name in path:
            kind, label = EVENT_OF[name]
            events.append(
                (str(event_id), kind, label, t(dates[name]), previous, name, "", "case")
                + (coordinator, str(case_id))
            )
            event_id += 1
            previous = name
        if len(cases) >= BATCH or i == n_cases - 1:
            _flush(cursor, cases, forms, domains, decisions, opinions, events, stats)
            cases, forms, domains, decisions, opinions, events = [], [], [], [], [], []
    return stats


CASE_COLUMNS = [
    "id",
    "number",
    "stage",
    "situation",
    "created_at",
    "updated_at",
    "stage_changed_at",
    "submitted_at",
    "referral_opened_at",
    "decided_at",
    "first_report_at",
    "report_submitted_at",
    "report_validated_at",
    "restitution_at",
    "closed_at",
    "closure_outcome",
    "closure_comment",
    "version",
    "anonymised_at",
    "centre_id",
    "consultant_id",
    "created_by_id",
    "manager_id",
    "provider_id",
    "from_selfcheck",
    "closure_summary",
]
FORM_COLUMNS = [
    "case_id",
    "requester_name",
    "requester_function",
    "requester_phone",
    "requester_email",
    "warning_signs_other",
    "description",
    "previous_attempts",
    "expectations",
    "availability",
    "confidentiality_ack",
    "cooperation_ack",
    "updated_at",
    "updated_by_id",
]
DECISION_COLUMNS = ["id", "outcome", "grounds", "justification", "decided_at", "case_id"]
DECISION_COLUMNS.append("decided_by_id")
OPINION_COLUMNS = ["id", "value", "comment", "given_at", "case_id", "given_by_id", "partner_id"]
EVENT_COLUMNS = ["id", "kind", "label", "created_at", "from_stage", "to_stage", "comment"]
EVENT_COLUMNS += ["audience", "actor_id", "case_id"]


def _flush(cursor, cases, forms, domains, decisions, opinions, events, stats) -> None:
    stats["cases"] += _copy(cursor, "cases_case", CASE_COLUMNS, cases)
    _copy(cursor, "cases_informationform", FORM_COLUMNS, forms)
    _copy(
        cursor,
        "cases_informationform_domains",
        ["id", "informationform_id", "domain_id"],
        domains,
    )
    stats["decisions"] = stats.get("decisions", 0) + _copy(
        cursor, "cases_decision", DECISION_COLUMNS, decisions
    )
    stats["opinions"] = stats.get("opinions", 0) + _copy(
        cursor, "cases_opinion", OPINION_COLUMNS, opinions
    )
    stats["events"] = stats.get("events", 0) + _copy(
        cursor, "cases_caseevent", EVENT_COLUMNS, events
    )


SEQUENCE_TABLES = [
    "directory_organisation",
    "directory_socialcentre",
    "cases_case",
    "cases_decision",
    "cases_opinion",
    "cases_caseevent",
    "cases_informationform_domains",
]


def generate(n_cases: int, seed: int = 13, log=print) -> dict:
    """Fill the (empty or already generated) bench database; returns counts and timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    started = time.perf_counter()
    ref = _reference_setup()
    set_up = time.perf_counter()
    rng = random.Random(seed)
    clock = _Clock(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's cursor: COPY
        # Consistent by construction: no per-row foreign-key trigger queued for COMMIT
        # (Django's constraints are deferred). The bench cluster's user is a superuser.
        raw.execute("SET LOCAL session_replication_role = replica")
        centres = _centres(raw, ref, rng)
        log(f"  {len(centres)} centres ; {n_cases} dossiers en cours d'écriture…")
        stats = _cases(raw, ref, centres, n_cases, rng, clock)
        # The stored due dates (Case.due_at), as the services would have set them.
        from soutien.cases.deadlines import refresh_due_at

        refresh_due_at()
        # The evaluation's facts (soutien.evaluation.facts), as the signals would have kept them.
        from soutien.evaluation.facts import rebuild

        facts_started = time.perf_counter()
        rebuild()
        stats["facts_seconds"] = round(time.perf_counter() - facts_started, 1)
        for table in SEQUENCE_TABLES:
            raw.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
    written = time.perf_counter()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    # The published grid the masked pages read: computed as the worker would, or beyond
    # what the masking can do in a benchmark run, a stand-in (bench.bench_evaluation).
    from bench.bench_evaluation import MASKED_GRID_UP_TO, _stand_in_grid
    from soutien.evaluation.publication import compute_grid

    grid_started = time.perf_counter()
    if n_cases <= MASKED_GRID_UP_TO:
        compute_grid()
        stats["grid"] = "computed"
    else:
        _stand_in_grid()
        stats["grid"] = "stand-in"
    stats["grid_seconds"] = round(time.perf_counter() - grid_started, 1)
    _plan_daily_run_tomorrow()
    stats.update(
        centres=len(centres),
        setup_seconds=round(set_up - started, 1),  # migrations, reference and demo data
        copy_seconds=round(written - set_up, 1),  # COPY, index upkeep, COMMIT
        generation_seconds=round(time.perf_counter() - started, 1),  # + VACUUM ANALYZE
    )
    return stats


def _plan_daily_run_tomorrow() -> None:
    """The daily reminders and digests planned for tomorrow's run hour, as a server that
    ran today would have them: otherwise the task worker of ``make serve`` catches up
    today's run at once — at a million cases, minutes of a whole core taken from the
    pages being measured (and from their bare baseline)."""
    from django.conf import settings
    from django.test import override_settings
    from django.utils import timezone

    from soutien.cases.tasks import daily_notifications

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    hour = dt.time(settings.SOUTIEN_DAILY_RUN_HOUR)
    at = timezone.make_aware(dt.datetime.combine(tomorrow, hour))
    # The generation runs with tasks done at once; the server's backend keeps them.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        daily_notifications.using(run_after=at).enqueue()
