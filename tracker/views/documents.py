"""Evidence documents, served only to those who may see their action.

A published action's documents are public; a draft's or a withdrawn action's are for the committee's
staff and the liaisons of the action's state or body, and answer 404 to anyone else, as if they did
not exist. A document is sent as a download unless it is a kind a browser only displays (PDF, images,
plain text), always with the content type its content was found to have and `nosniff`, so that no
upload can run as a page of this site.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from ..documents import SHOWN_INLINE, shown_name
from ..models import Action, Evidence


def _may_read(user, action) -> bool:
    if action.state == Action.State.PUBLISHED:
        return True
    if not user.is_authenticated:
        return False
    if user.is_active and user.is_staff and user.has_perm("tracker.view_action"):
        return True
    liaison = getattr(user, "liaison", None)
    return liaison is not None and liaison.actor_id == action.actor_id


@require_safe
def evidence_document(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("action"), pk=pk)
    if not evidence.document or not _may_read(request.user, evidence.action):
        raise Http404
    try:
        stream = evidence.document.open("rb")
    except OSError as error:
        raise Http404 from error
    content_type = evidence.content_type or "application/octet-stream"
    response = FileResponse(
        stream,
        as_attachment=content_type not in SHOWN_INLINE,
        filename=shown_name(evidence),
        content_type=f"{content_type}; charset=utf-8" if content_type == "text/plain" else content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if evidence.action.state == Action.State.PUBLISHED:
        # Public, but asked again each time: a withdrawn action's documents stop being public at once.
        patch_cache_control(response, no_cache=True)
    else:
        patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ["Cookie"])
    return response
