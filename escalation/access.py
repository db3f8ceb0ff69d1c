"""The one place that decides which escalation proposals a user may see: the dispatch centre
and the leaders of the park. Pages and the API both start here."""

from django.db.models import QuerySet

from escalation.models import Proposal, ProposalStatus
from orgs.models import Park, Role, User
from qinshang.errors import NotFound

VIEWERS = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)


def visible_proposals(user: User, park: Park) -> QuerySet[Proposal]:
    """The one scoping function of proposals: the dispatch centre and leaders of the park."""
    qs = Proposal.objects.filter(park=park)
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or (user.role in VIEWERS and user.in_park(park.pk)):
        return qs
    return qs.none()


def get_proposal(user: User, park: Park, proposal_id: int) -> Proposal:
    p = visible_proposals(user, park).select_related("demand").filter(pk=proposal_id).first()
    if p is None:
        raise NotFound("提级建议不存在")
    return p


def open_count(user: User, park: Park) -> int:
    return visible_proposals(user, park).filter(status=ProposalStatus.OPEN).count()
