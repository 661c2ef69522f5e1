"""Helpers shared by the case pages: the case fetched for a page (404 outside the
user's scope), service errors shown on forms, the « who reads this » sentences.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from soutien.cases import policies, selectors, services
from soutien.cases.enums import Channel, MeetingKind
from soutien.cases.models import Case
from web.documents.views import SizeLimitUploadHandler

NOT_POSSIBLE = "Cette action n'est pas possible pour vous à cette étape du dossier."


# Said beside every form: who will read what is typed there.
VISIBILITY = {
    "form": "Tant qu'elle est en brouillon, la fiche n'est lue que par votre association "
    "(ou votre fédération). Une fois transmise, elle est lue par la coordination (Caf), puis "
    "par les partenaires financeurs concernés et par le prestataire chargé du diagnostic.",
    "return_for_completion": "Votre message est lu par le gestionnaire du centre et par toutes "
    "les personnes qui suivent le dossier.",
    "withdraw": "Le motif est lu par toutes les personnes qui suivent le dossier.",
    "close_without_follow_up": "Le motif est lu par le gestionnaire et par toutes les personnes "
    "qui suivent le dossier.",
    "hand_over": "Votre message est lu par les administrateurs bénévoles de votre association "
    "et par toutes les personnes qui suivront le dossier.",
    "opinion": "Votre avis et votre commentaire sont lus par la coordination (Caf) et par les "
    "autres partenaires financeurs concernés. Ni le centre ni le prestataire ne les voient.",
    "decision": "La décision et ses motifs sont lus par toutes les personnes qui suivent le "
    "dossier, dont le gestionnaire du centre et le prestataire. La justification (décision "
    "prise avant tous les avis) n'est lue que par la coordination et les partenaires "
    "financeurs concernés.",
    MeetingKind.REFERRAL: "Cette réunion n'est visible que par la coordination, les "
    "partenaires financeurs concernés et les personnes invitées.",
    MeetingKind.INTERVIEW: "Cet entretien est visible par le gestionnaire, la coordination et "
    "le prestataire, et par les personnes invitées ; pas par les autres partenaires "
    "financeurs.",
    MeetingKind.PARTNER_MEETING: "Cette rencontre est visible par toutes les personnes qui "
    "suivent le dossier.",
    MeetingKind.RESTITUTION: "La restitution planifiée est visible par le gestionnaire, la "
    "coordination et le prestataire, et par les personnes invitées.",
    MeetingKind.SUPPORT_SESSION: "Cette séance est visible par le gestionnaire, la coordination "
    "et le prestataire, et par les personnes invitées ; pas par les autres partenaires "
    "financeurs.",
    "assign": "Le consultant désigné est visible par toutes les personnes qui suivent le dossier.",
    "findings": "Vos constats sont lus par le gestionnaire dès qu'un rapport lui est transmis, "
    "puis par la coordination et les partenaires financeurs une fois le rapport validé.",
    "report": "Chaque version transmise est lue par le gestionnaire seul. La coordination et "
    "les partenaires financeurs ne lisent que la version validée par le gestionnaire.",
    "review": "Vos commentaires sont lus par le consultant et la coordination, jamais par les "
    "partenaires financeurs. Si vous validez, la version validée devient lisible par les "
    "partenaires financeurs concernés.",
    "restitution": "La synthèse est lue par le gestionnaire, la coordination et le prestataire.",
    "action": "Le plan d'actions est visible par toutes les personnes qui suivent le dossier "
    "(centre, coordination, partenaires financeurs concernés, prestataire).",
    "close": "L'issue et le commentaire de clôture sont lus par toutes les personnes qui "
    "suivent le dossier.",
    "satisfaction": "Vos réponses sont lues par la coordination (Caf) pour évaluer la mission.",
    Channel.MESSAGE: "Lu par le gestionnaire du centre, la coordination (Caf) et le prestataire. "
    "Les partenaires financeurs ne le voient pas.",
    Channel.PRIVATE_NOTE: "Lu par la coordination (Caf) et les partenaires financeurs concernés "
    "uniquement. Ni le centre ni le prestataire ne le voient.",
    "targets": "Les délais cibles s'appliquent à tous les dossiers ; les dossiers en retard sont "
    "signalés dans les listes.",
}


def limited_uploads(view):
    """For the forms that carry files: a file over the size limit stops being stored while
    it is received (never spooled to disk past the limit) and reaches the form empty but
    with its real size, so that the form says « pèse 23,4 Mo » beside the field. The CSRF
    token is checked once the handler is in place, as in the upload view (reading the
    token would read the files first)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limiter = SizeLimitUploadHandler(request)
        if request.method == "POST":
            request.upload_handlers.insert(0, limiter)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def page_case(request, pk) -> Case:
    """The case, if the user may see it in full (404 otherwise)."""
    case = selectors.case_for(request.user, pk)
    if not policies.can_view_case(request.user, case):
        raise Http404("Dossier introuvable")
    return case


def to_case(case):
    return redirect("cases:detail", pk=case.pk)


def not_possible(request, case):
    messages.error(request, NOT_POSSIBLE)
    return to_case(case)


def attach_errors(form, exc: services.CaseError) -> None:
    """Show a CaseError on the form: beside each field named, or above the form."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    if exc.errors:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    elif exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)


def run_service(request, case, form, call: Callable, *, success: str, then=None):
    """Call the service; return the redirect on success (or when the action was already
    done / is not permitted), None when the form must be shown again with its errors."""
    try:
        call()
    except services.AlreadyDone as exc:
        messages.info(request, exc.message)
        return to_case(case)
    except services.NotPermitted as exc:
        messages.error(request, exc.message)
        return to_case(case)
    except services.CaseError as exc:  # StaleForm included: shown above the form
        attach_errors(form, exc)
        return None
    messages.success(request, success)
    return then or to_case(case)


def simple_form(
    request,
    case,
    form,
    *,
    title,
    submit,
    visibility,
    intro="",
    extra=None,
    template="cases/simple_form.html",
    **kw,
):
    context = {
        "case": case,
        "form": form,
        "page_title": title,
        "submit_label": submit,
        "visibility": visibility,
        "intro": intro,
        **(extra or {}),
    }
    return render(request, template, context, **kw)
