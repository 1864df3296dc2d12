"""The dashboard's figures as a person sees them: kept ahead for the page as first opened, kept a few minutes
for other filters.

A dashboard over a county's history takes a tenth of a second or more to work out and draw (bench/README.md),
and managers open it first thing with its default period and no filters. Each person's dashboard as first
opened is kept in the database (`KeptDashboard`) and worked out again by the worker every few minutes
(`kept_dashboards_refresh`, on Celery beat: portal/settings/base.py) for as long as the person keeps opening
it, so the page shows it at once. Other filters are worked out when asked for and kept in the cache for the
same few minutes. Either way the page says when its figures were worked out, and its downloads read the same
figures.
"""

import datetime as dt
import hmac
import logging
import pickle
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

from portal.remembered import remembered

from . import reports
from .models import KeptDashboard
from .report_figures import figures_html
from .reports import Dashboard, ReportFilters, ReportScope

logger = logging.getLogger(__name__)

# A dashboard nobody has opened for this many days is no longer kept (it is worked out when next opened).
KEEP_AFTER_VIEW_DAYS = 14
_SIGNATURE_SALT = "workflows.kept_dashboards"


@dataclass(frozen=True)
class Figures:
    board: Dashboard
    html: str


def default_filters(now: dt.datetime) -> ReportFilters:
    """The filters of the dashboard as first opened: the default period, every type, team and organisation."""
    date_from, date_to = reports.default_period(timezone.localdate(now))
    return ReportFilters(date_from=date_from, date_to=date_to, now=now)


def _is_default(filters: ReportFilters) -> bool:
    return (
        (filters.date_from, filters.date_to) == reports.default_period(filters.today)
        and not filters.kind
        and filters.team is None
        and not filters.organisation_kind
    )


def _signature(board: bytes, html: str) -> str:
    return salted_hmac(_SIGNATURE_SALT, board + b"\0" + html.encode(), algorithm="sha256").hexdigest()


def _kept_figures(scope: ReportScope, key: str, now: dt.datetime) -> Figures | None:
    """The person's kept dashboard for these filters if it is fresh enough to show, and marked as opened today."""
    fresh_since = now - dt.timedelta(seconds=settings.PORTAL_REPORTS_CACHE_SECONDS)
    kept = KeptDashboard.objects.filter(viewer_id=scope.user_id, key=key, worked_out_at__gte=fresh_since).first()
    if kept is None:
        return None
    board = bytes(kept.board)
    if not hmac.compare_digest(kept.signature, _signature(board, kept.figures_html)):
        logger.warning("Kept dashboard %s failed its signature check: worked out afresh", kept.pk)
        return None
    today = timezone.localdate(now)
    if kept.last_viewed_on < today:
        KeptDashboard.objects.filter(pk=kept.pk).update(last_viewed_on=today)
    # Both are the portal's own, as the signature shows: the figures it pickled and the HTML it drew.
    return Figures(pickle.loads(board), mark_safe(kept.figures_html))  # noqa: S301, S308


def dashboard_keep(*, scope: ReportScope, figures: Figures, viewed: bool) -> None:
    """Keep the person's dashboard as first opened, unless one worked out later is kept already (the worker's
    run and the person's own view can overlap); `viewed` when they opened it."""
    board = pickle.dumps(figures.board, protocol=pickle.HIGHEST_PROTOCOL)
    worked_out_at = figures.board.filters.now
    worked_out = {
        "key": reports.dashboard_cache_key(scope, figures.board.filters),
        "worked_out_at": worked_out_at,
        "board": board,
        "signature": _signature(board, figures.html),
        "figures_html": figures.html,
    }
    today = {"last_viewed_on": timezone.localdate(worked_out_at)}
    kept = KeptDashboard.objects.filter(viewer_id=scope.user_id)
    if kept.filter(worked_out_at__lte=worked_out_at).update(**worked_out, **(today if viewed else {})):
        return
    if kept.exists():
        return
    try:
        with transaction.atomic():
            KeptDashboard.objects.create(viewer_id=scope.user_id, **worked_out, **today)
    except IntegrityError:
        logger.info("Dashboard of %s kept by another process at the same moment", scope.user_id)


def _worked_out(scope: ReportScope, filters: ReportFilters) -> Figures:
    board = reports.dashboard(scope, filters)
    return Figures(board, figures_html(scope, filters, board))


def dashboard_figures(scope: ReportScope, filters: ReportFilters) -> Figures:
    """The dashboard's figures and their drawing, as worked out at most PORTAL_REPORTS_CACHE_SECONDS ago.

    The page, its CSV files and the spreadsheet all read this, so they agree; `board.filters.now` is when the
    figures were worked out, and the page says so.
    """
    seconds = settings.PORTAL_REPORTS_CACHE_SECONDS
    if seconds <= 0:
        return _worked_out(scope, filters)
    key = reports.dashboard_cache_key(scope, filters)
    if _is_default(filters):
        kept = _kept_figures(scope, key, filters.now)
        if kept is None:
            kept = _worked_out(scope, filters)
            dashboard_keep(scope=scope, figures=kept, viewed=True)
        return kept
    return remembered(key, lambda: _worked_out(scope, filters), seconds)


def _refresh_one(kept: KeptDashboard, now: dt.datetime) -> bool:
    viewer = kept.viewer
    scope = reports.report_scope(viewer) if viewer.is_active else None
    if scope is None:
        kept.delete()
        return False
    dashboard_keep(scope=scope, figures=_worked_out(scope, default_filters(now)), viewed=False)
    return True


def kept_dashboards_refresh(*, now: dt.datetime | None = None) -> int:
    """Work every kept dashboard out again, for the people who opened theirs in the last KEEP_AFTER_VIEW_DAYS;
    forget the others, and those of people who may no longer see reports. Returns how many were refreshed."""
    now = now or timezone.now()
    opened_since = timezone.localdate(now) - dt.timedelta(days=KEEP_AFTER_VIEW_DAYS)
    KeptDashboard.objects.filter(last_viewed_on__lt=opened_since).delete()
    refreshed = 0
    viewers = KeptDashboard.objects.values_list("viewer_id", flat=True)
    for viewer_id in list(viewers):
        kept = KeptDashboard.objects.filter(viewer_id=viewer_id).select_related("viewer").defer("board").first()
        if kept is not None and _refresh_one(kept, now):
            refreshed += 1
    return refreshed
