"""Deployment checks: the legal pages must not state demonstration values in production."""

import os

from django.core import checks

REQUIRED = {
    "SOUTIEN_HOST_NAME": "le nom de l'hébergeur (mentions légales)",
    "SOUTIEN_HOST_ADDRESS": "l'adresse de l'hébergeur (mentions légales)",
    "SOUTIEN_HOST_PHONE": "le téléphone de l'hébergeur (mentions légales)",
    "SOUTIEN_DPO_EMAIL": "le contact du délégué à la protection des données",
}


@checks.register(checks.Tags.security, deploy=True)
def legal_facts_are_set(app_configs=None, **kwargs):
    return [
        checks.Warning(
            f"{variable} n'est pas défini : la plateforme afficherait une valeur de "
            f"démonstration pour {what}.",
            id="soutien.W001",
        )
        for variable, what in REQUIRED.items()
        if not os.environ.get(variable)
    ]
