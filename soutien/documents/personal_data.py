"""Right of access (RGPD): the files a person attached and the documents they downloaded.

Read by ``soutien.security.services.personal_data_export``.
"""

from soutien.documents.models import Document, DownloadLog

DOWNLOAD_KINDS = {
    "attachment": "Pièce jointe",
    "form_pdf": "Fiche d'information (PDF)",
    "report_pdf": "Rapport de diagnostic (PDF)",
    "restitution_pdf": "Restitution (PDF)",
    "meeting_ics": "Invitation à une réunion (agenda)",
}


def personal_data_in_documents(user) -> dict[str, list[dict]]:
    return {
        "uploads": [
            {
                "case": document.case.display_number,
                "name": document.original_name,
                "attached_to": document.get_attach_to_display(),
                "size": document.size,
                "date": document.created_at.isoformat(),
            }
            for document in Document.objects.filter(uploaded_by=user)
            .select_related("case")
            .order_by("created_at", "pk")
        ],
        "downloads": [
            {
                "case": log.case.display_number,
                "name": log.document_name,
                "kind": DOWNLOAD_KINDS.get(log.kind, log.kind),
                "date": log.downloaded_at.isoformat(),
            }
            for log in DownloadLog.objects.filter(user=user)
            .select_related("case")
            .order_by("downloaded_at", "pk")
        ],
    }
