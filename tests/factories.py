"""factory-boy factories shared by the whole suite."""

import factory
from django.conf import settings

from soutien.accounts.models import User
from soutien.directory.models import (
    Commune,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    SocialCentre,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", settings.SOUTIEN_DEMO_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["insee_code"]

    insee_code = factory.Sequence(lambda n: f"99{n:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    is_signatory = False


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association n°{n}")
    kind = OrganisationKind.ASSOCIATION

    class Params:
        federation = factory.Trait(
            kind=OrganisationKind.FEDERATION, name=factory.Sequence(lambda n: f"Fédération {n}")
        )
        provider = factory.Trait(
            kind=OrganisationKind.PROVIDER, name=factory.Sequence(lambda n: f"Cabinet {n}")
        )


class SocialCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialCentre

    name = factory.Sequence(lambda n: f"Centre social n°{n}")
    commune = factory.SubFactory(CommuneFactory)
    manager = factory.SubFactory(OrganisationFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.BOARD_MEMBER
