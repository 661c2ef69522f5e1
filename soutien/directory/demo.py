"""Fictitious demo data: social centres, their managers and the demo accounts.

Everything created here is flagged ``is_fictitious`` and the names say so. Loading
is idempotent (natural keys) and deterministic (seeded random generator).
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from soutien.directory.models import (
    Commune,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    SocialCentre,
)
from soutien.directory.reference import CAF_NAME, EVALUATION_BODY_NAME, FEDERATIONS, PROVIDER_NAME

# How many centres per signatory commune (INSEE code): about forty in all.
CENTRES_PER_COMMUNE = {
    "13055": 18,
    "13001": 4,
    "13028": 3,
    "13071": 2,
    "13063": 3,
    "13077": 2,
    "13103": 3,
    "13106": 2,
    "13117": 3,
}

CENTRE_NAMES = [
    "Les Amandiers",
    "Les Tilleuls",
    "La Roseraie",
    "Les Oliviers",
    "Le Mistral",
    "Les Cigales",
    "La Garrigue",
    "Les Platanes",
    "Le Vallon",
    "Les Lavandes",
    "La Calanque",
    "Les Micocouliers",
    "Le Belvédère",
    "Les Pins",
    "La Bastide",
    "Les Arbousiers",
    "Le Moulin",
    "Les Grenadiers",
    "La Source",
    "Les Figuiers",
    "Le Phare",
    "Les Romarins",
    "La Colline",
    "Les Cyprès",
    "Le Lavoir",
    "Les Mimosas",
    "La Pinède",
    "Les Glycines",
    "Le Grand Chêne",
    "Les Caroubiers",
    "La Fontaine",
    "Les Genêts",
    "Le Jas",
    "Les Saules",
    "La Traverse",
    "Les Thyms",
    "Le Cabanon",
    "Les Lauriers",
    "La Treille",
    "Les Iris",
]

STREETS = [
    "rue des Écoles",
    "avenue de la République",
    "boulevard Jean-Jaurès",
    "rue Victor-Hugo",
    "place de la Mairie",
    "chemin des Collines",
    "allée des Peupliers",
    "rue Pasteur",
    "avenue Frédéric-Mistral",
    "traverse du Moulin",
]

POSTCODES = {
    "13055": "13003",
    "13001": "13090",
    "13028": "13600",
    "13071": "13170",
    "13063": "13140",
    "13077": "13110",
    "13103": "13300",
    "13106": "13240",
    "13117": "13127",
}

DEMO_BOARD_CENTRE = "Centre social Les Amandiers (fictif)"
DEMO_FEDERATION = FEDERATIONS[0][0]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str | None
    organisation: str | None
    function: str
    description: str


def demo_accounts() -> list[DemoAccount]:
    board_association = association_name(DEMO_BOARD_CENTRE)
    return [
        DemoAccount(
            "coordination@caf13.demo",
            "Claire",
            "Martin",
            Role.COORDINATOR,
            CAF_NAME,
            "Chargée de coordination MSTR",
            "Coordination (Caf des Bouches-du-Rhône)",
        ),
        DemoAccount(
            "etat@partenaires.demo",
            "Karim",
            "Benali",
            Role.PARTNER,
            "Préfecture des Bouches-du-Rhône (État)",
            "Chargé de mission politique de la ville",
            "Partenaire financeur — État",
        ),
        DemoAccount(
            "region@partenaires.demo",
            "Sophie",
            "Roux",
            Role.PARTNER,
            "Région Provence-Alpes-Côte d'Azur",
            "Chargée de mission cohésion sociale",
            "Partenaire financeur — Région",
        ),
        DemoAccount(
            "departement@partenaires.demo",
            "Marc",
            "Giraud",
            Role.PARTNER,
            "Département des Bouches-du-Rhône",
            "Chef de service action sociale",
            "Partenaire financeur — Département",
        ),
        DemoAccount(
            "marseille@partenaires.demo",
            "Nadia",
            "Haddad",
            Role.PARTNER,
            "Ville de Marseille",
            "Chargée de mission vie associative",
            "Partenaire financeur — Ville de Marseille",
        ),
        DemoAccount(
            "federation@federation.demo",
            "Julien",
            "Fabre",
            Role.FEDERATION_STAFF,
            DEMO_FEDERATION,
            "Délégué fédéral",
            "Salarié d'une fédération gestionnaire de plusieurs centres",
        ),
        DemoAccount(
            "administrateur@centre.demo",
            "Monique",
            "Blanc",
            Role.BOARD_MEMBER,
            board_association,
            "Présidente",
            "Administratrice bénévole d'un centre associatif à Marseille",
        ),
        DemoAccount(
            "salarie@centre.demo",
            "Yacine",
            "Mekki",
            Role.STAFF,
            board_association,
            "Référent famille",
            "Salarié du même centre associatif",
        ),
        DemoAccount(
            "consultant@prestataire.demo",
            "Élodie",
            "Perrin",
            Role.CONSULTANT,
            PROVIDER_NAME,
            "Consultante",
            "Consultante du prestataire",
        ),
        DemoAccount(
            "evaluation@partenaires.demo",
            "Pierre",
            "Lambert",
            Role.EVALUATOR,
            EVALUATION_BODY_NAME,
            "Chargé d'évaluation",
            "Instance d'évaluation",
        ),
        DemoAccount(
            "admin@soutien.demo",
            "Alex",
            "Technique",
            None,
            None,
            "Administrateur technique",
            "Administration technique (back-office)",
        ),
    ]


def association_name(centre_name: str) -> str:
    return f"Association gestionnaire du {centre_name[0].lower()}{centre_name[1:]}"


class DemoRefused(Exception):
    """Demo data must never reach a production database."""


def _centres(rng: random.Random) -> None:
    federations = list(
        Organisation.objects.filter(name__in=[name for name, _ in FEDERATIONS]).order_by("name")
    )
    names = iter(CENTRE_NAMES)
    index = 0
    for code, count in CENTRES_PER_COMMUNE.items():
        commune = Commune.objects.get(insee_code=code)
        for _ in range(count):
            name = f"Centre social {next(names)} (fictif)"
            # One centre in three is run by a federation, the federations taking turns;
            # the board member's demo centre stays association-run.
            federation_run = index % 3 == 2 and name != DEMO_BOARD_CENTRE
            if federation_run:
                manager = federations[(index // 3) % len(federations)]
            else:
                manager, _ = Organisation.objects.get_or_create(
                    name=association_name(name),
                    defaults={
                        "short_name": name.removeprefix("Centre social ").removesuffix(" (fictif)"),
                        "kind": OrganisationKind.ASSOCIATION,
                        "commune": commune,
                        "is_fictitious": True,
                    },
                )
            approval_start = dt.date(2023 + index % 3, 1, 1)
            SocialCentre.objects.get_or_create(
                name=name,
                commune=commune,
                defaults={
                    "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                    "postcode": POSTCODES[code],
                    "latitude": commune.latitude + Decimal(f"{rng.uniform(-0.03, 0.03):.5f}"),
                    "longitude": commune.longitude + Decimal(f"{rng.uniform(-0.03, 0.03):.5f}"),
                    "priority_area": rng.random() < 0.6,
                    "caf_approval_start": approval_start,
                    "caf_approval_end": approval_start.replace(year=approval_start.year + 4),
                    "manager": manager,
                    "is_fictitious": True,
                },
            )
            index += 1


def _accounts() -> None:
    for account in demo_accounts():
        user = get_user_model().objects.filter(email=account.email).first()
        if user is None:
            user = get_user_model().objects.create_user(
                account.email,
                settings.SOUTIEN_DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
            )
        if account.role is None:
            if not user.is_superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            continue
        organisation = Organisation.objects.get(name=account.organisation)
        Membership.objects.get_or_create(
            user=user,
            organisation=organisation,
            role=account.role,
            defaults={"function": account.function},
        )


@transaction.atomic
def load_demo_data() -> None:
    """Create the fictitious centres and the demo accounts (DEBUG only)."""
    if not settings.DEBUG:
        raise DemoRefused(
            "Les données de démonstration ne sont chargées qu'avec DEBUG activé : "
            "elles créent des comptes au mot de passe public."
        )
    rng = random.Random(13)  # noqa: S311 - demo data, not security
    _centres(rng)
    _accounts()
