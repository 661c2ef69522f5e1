"""Reference data of the « Convention cadre » of the Bouches-du-Rhône.

Loading is idempotent and respectful of later edits: a row that already exists
(found by its natural key) is left as the coordinator edited it; only missing
rows are created. Another department replaces this module's data, not the code.
"""

import datetime as dt
import functools
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from soutien.directory.models import (
    Commune,
    ConventionPeriod,
    Domain,
    FunderLevel,
    Organisation,
    OrganisationKind,
    ProcurementProcedure,
    ProviderContract,
    Signatory,
    WarningSign,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNES_GEOJSON = DATA_DIR / "communes-13.geojson"

# INSEE code → (name, latitude, longitude) for the signatory communes.
SIGNATORY_COMMUNES = {
    "13001": ("Aix-en-Provence", "43.530", "5.447"),
    "13028": ("La Ciotat", "43.175", "5.604"),
    "13071": ("Les Pennes-Mirabeau", "43.410", "5.309"),
    "13055": ("Marseille", "43.297", "5.370"),
    "13063": ("Miramas", "43.583", "5.002"),
    "13077": ("Port-de-Bouc", "43.406", "4.990"),
    "13103": ("Salon-de-Provence", "43.641", "5.097"),
    "13106": ("Septèmes-les-Vallons", "43.398", "5.366"),
    "13117": ("Vitrolles", "43.460", "5.249"),
}

CAF_NAME = "Caf des Bouches-du-Rhône"

INSTITUTIONAL_FUNDERS = [
    # name, short name, level
    ("Préfecture des Bouches-du-Rhône (État)", "État", FunderLevel.STATE),
    ("Région Provence-Alpes-Côte d'Azur", "Région", FunderLevel.REGION),
    ("Département des Bouches-du-Rhône", "Département", FunderLevel.DEPARTMENT),
]

FEDERATIONS = [
    ("Union des centres sociaux des Bouches-du-Rhône", "Union des centres sociaux 13"),
    ("CCO", "CCO"),
    ("Léo Lagrange Méditerranée", "Léo Lagrange Méditerranée"),
    ("FAIL", "FAIL"),
    ("IFAC", "IFAC"),
]

PROVIDER_NAME = "Cabinet Singuliers & Co"
EVALUATION_BODY_NAME = "Instance d'évaluation de la Convention cadre"

DOMAINS = [
    ("gestion-financiere", "Gestion financière"),
    ("ressources-humaines", "Ressources humaines"),
    ("ingenierie-de-projets", "Ingénierie de projets"),
    ("gouvernance", "Gouvernance"),
    ("autre", "Autre"),
]

WARNING_SIGNS = {
    "gestion-financiere": [
        ("tresorerie-faible", "Trésorerie inférieure à deux mois de charges"),
        ("deficits-repetes", "Déficits répétés"),
        ("fonds-propres-negatifs", "Fonds propres négatifs"),
        ("retards-sociaux-fiscaux", "Retards de paiement des charges sociales ou fiscales"),
        ("comptes-non-approuves", "Comptes non approuvés"),
        ("perte-subvention", "Perte ou baisse d'une subvention"),
    ],
    "ressources-humaines": [
        ("direction-absente", "Départ ou absence de la direction"),
        ("turn-over", "Fort renouvellement des salariés (turn-over)"),
        ("conflit-social", "Conflit social"),
    ],
    "gouvernance": [
        ("demissions-ca", "Démissions au conseil d'administration"),
        ("conflit-ca-direction", "Conflit entre le conseil d'administration et la direction"),
        ("ag-non-tenue", "Assemblée générale non tenue"),
    ],
    "ingenierie-de-projets": [
        ("agrement-menace", "Agrément Caf non renouvelé ou menacé"),
        ("projet-social-obsolete", "Projet social dépassé"),
        ("frequentation-en-baisse", "Baisse de la fréquentation"),
    ],
}

CONVENTION_PERIODS = [
    # name, start, end, signed_on, has_mstr, commune codes signing
    (
        "Convention cadre 2000",
        dt.date(2000, 5, 19),
        dt.date(2002, 12, 31),
        dt.date(2000, 5, 19),
        False,
        ["13001", "13028", "13071", "13055", "13063", "13077", "13106"],
    ),
    (
        "Convention cadre 2003–2005",
        dt.date(2003, 1, 1),
        dt.date(2007, 12, 31),
        None,
        False,
        ["13001", "13028", "13071", "13055", "13063", "13077", "13106"],
    ),
    (
        "Convention cadre 2008–2010",
        dt.date(2008, 1, 1),
        dt.date(2010, 12, 31),
        None,
        False,
        list(SIGNATORY_COMMUNES),
    ),
    (
        "Convention cadre 2011–2012 (prorogée jusqu'en 2014)",
        dt.date(2011, 1, 1),
        dt.date(2014, 12, 31),
        None,
        False,
        list(SIGNATORY_COMMUNES),
    ),
    (
        "Convention cadre 2015–2017",
        dt.date(2015, 1, 1),
        dt.date(2017, 12, 31),
        None,
        True,
        list(SIGNATORY_COMMUNES),
    ),
]


def _centroid(geometry) -> tuple[Decimal, Decimal] | None:
    """Mean of the outer ring's vertices: good enough to place a commune's label."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    ring = max((polygon[0] for polygon in polygons), key=len, default=None)
    if not ring:
        return None
    lon = sum(point[0] for point in ring) / len(ring)
    lat = sum(point[1] for point in ring) / len(ring)
    return Decimal(f"{lat:.5f}"), Decimal(f"{lon:.5f}")


@functools.cache
def _commune_features() -> list[dict]:
    return json.loads(COMMUNES_GEOJSON.read_text(encoding="utf-8"))["features"]


def load_communes() -> int:
    if Commune.objects.count() >= len(_commune_features()):
        return 0
    created = 0
    features = _commune_features()
    for feature in features:
        code = feature["properties"]["code"]
        name = feature["properties"]["nom"]
        if code in SIGNATORY_COMMUNES:
            name, lat, lon = SIGNATORY_COMMUNES[code]
            lat, lon = Decimal(lat), Decimal(lon)
        else:
            lat, lon = _centroid(feature["geometry"]) or (None, None)
        _, was_created = Commune.objects.get_or_create(
            insee_code=code,
            defaults={
                "name": name,
                "is_signatory": code in SIGNATORY_COMMUNES,
                "latitude": lat,
                "longitude": lon,
            },
        )
        created += was_created
    return created


def _organisation(name, **defaults) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(name=name, defaults=defaults)
    return organisation


def load_organisations() -> dict[str, Organisation]:
    orgs = {}
    orgs["caf"] = _organisation(
        CAF_NAME,
        short_name="Caf 13",
        kind=OrganisationKind.COORDINATOR,
        funder_level=FunderLevel.CAF,
        email="convention-cadre-centres-sociaux.cafmarseille@caf.cnafmail.fr",
        phone="04 91 05 53 46",
        website="http://www.centres-sociaux-partenariat13.fr",
        description=(
            "Co-préside la Convention cadre avec l'État ; anime le dispositif partenarial "
            "et coordonne la mission de soutien technique renforcé."
        ),
    )
    for name, short_name, level in INSTITUTIONAL_FUNDERS:
        orgs[level] = _organisation(
            name, short_name=short_name, kind=OrganisationKind.FUNDER, funder_level=level
        )
    for code, (commune_name, _lat, _lon) in SIGNATORY_COMMUNES.items():
        commune = Commune.objects.get(insee_code=code)
        orgs[code] = _organisation(
            f"Ville de {commune_name}",
            short_name=commune_name,
            kind=OrganisationKind.FUNDER,
            funder_level=FunderLevel.COMMUNE,
            commune=commune,
        )
    for name, short_name in FEDERATIONS:
        orgs[name] = _organisation(
            name,
            short_name=short_name,
            kind=OrganisationKind.FEDERATION,
            description="Fédération signataire de la Convention cadre, relais d'information.",
        )
    orgs["provider"] = _organisation(
        PROVIDER_NAME,
        short_name="Singuliers & Co",
        kind=OrganisationKind.PROVIDER,
        website="http://www.singuliersco.com",
        description="Cabinet missionné dans le cadre d'un marché à procédure adaptée (MAPA).",
    )
    orgs["evaluation"] = _organisation(
        EVALUATION_BODY_NAME,
        short_name="Instance d'évaluation",
        kind=OrganisationKind.EVALUATION,
        description="Instance créée en 2011 pour évaluer en continu le dispositif.",
    )
    return orgs


def load_periods(orgs: dict[str, Organisation]) -> None:
    federations = [orgs[name] for name, _ in FEDERATIONS]
    for name, start, end, signed_on, has_mstr, commune_codes in CONVENTION_PERIODS:
        period, created = ConventionPeriod.objects.get_or_create(
            name=name,
            defaults={"start": start, "end": end, "signed_on": signed_on, "has_mstr": has_mstr},
        )
        if not created:
            continue
        funders = [orgs["caf"], orgs[FunderLevel.STATE], orgs[FunderLevel.REGION]]
        funders += [orgs[FunderLevel.DEPARTMENT]] + [orgs[code] for code in commune_codes]
        for organisation in funders:
            Signatory.objects.create(
                period=period,
                organisation=organisation,
                is_funder=True,
                is_co_chair=organisation in (orgs["caf"], orgs[FunderLevel.STATE]),
            )
        if has_mstr:
            for federation in federations:
                Signatory.objects.create(period=period, organisation=federation)
            ProviderContract.objects.get_or_create(
                provider=orgs["provider"],
                start=dt.date(2015, 1, 1),
                defaults={
                    "period": period,
                    "procedure": ProcurementProcedure.MAPA,
                    "end": dt.date(2017, 12, 31),
                },
            )


def load_domains() -> None:
    for order, (code, name) in enumerate(DOMAINS, start=1):
        Domain.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    for domain_code, signs in WARNING_SIGNS.items():
        domain = Domain.objects.get(code=domain_code)
        for order, (code, label) in enumerate(signs, start=1):
            WarningSign.objects.get_or_create(
                code=code, defaults={"label": label, "domain": domain, "order": order}
            )


@transaction.atomic
def load_reference_data() -> None:
    """Create whatever reference row is missing; never overwrite an edited one."""
    load_communes()
    orgs = load_organisations()
    load_periods(orgs)
    load_domains()
