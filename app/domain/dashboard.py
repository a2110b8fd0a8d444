"""The administration's dashboard: demandes transmitted to the council by
téléservice and status, their amounts, and the demandes waiting for the
council longer than a delay (the statuses of the lifecycle table that are
still to process)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.domain.demandes.backoffice_list import unchanged_for_more_than
from app.domain.teleservices import teleservices
from app.extensions import db
from app.models import Demande, DemandeStatus, Teleservice, TeleserviceVersion
from app.models.lifecycle import BACK_OFFICE_STATUSES, OPEN_STATUSES


@dataclass
class TeleserviceFigures:
    code: str
    titre: str
    counts: dict[str, int] = field(default_factory=dict)  # status → number of demandes
    asked: Decimal = Decimal(0)  # montant demandé, every demande transmitted
    granted: Decimal = Decimal(0)  # montant accordé, demandes acceptées

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Dashboard:
    rows: list[TeleserviceFigures]
    totals: TeleserviceFigures
    waiting_days: int
    waiting_counts: dict[str, int]  # status → demandes waiting longer than waiting_days
    waiting_oldest: list[Demande]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def dashboard(waiting_days: int, oldest_limit: int = 20) -> Dashboard:
    """The figures of the administration's dashboard: demandes by
    téléservice and status with their amounts (one GROUP BY query), and the
    demandes waiting since more than ``waiting_days`` days (no change of
    any kind to them since)."""
    figures: dict[str, TeleserviceFigures] = {
        t.code: TeleserviceFigures(t.code, t.current_version.definition.titre) for t in teleservices()
    }
    grouped = db.session.execute(
        select(
            Teleservice.code,
            Demande.status,
            func.count(Demande.id),
            func.sum(Demande.montant_demande),
            func.sum(Demande.montant_accorde),
        )
        .join(TeleserviceVersion, Demande.teleservice_version_id == TeleserviceVersion.id)
        .join(Teleservice, TeleserviceVersion.teleservice_id == Teleservice.id)
        .where(Demande.status.in_(BACK_OFFICE_STATUSES))
        .group_by(Teleservice.code, Demande.status)
    )
    totals = TeleserviceFigures("", "Total")
    for code, status, count, asked, granted in grouped:
        row = figures.setdefault(code, TeleserviceFigures(code, code))
        for target in (row, totals):
            target.counts[status] = target.counts.get(status, 0) + count
            target.asked += _money(asked)
            if status == DemandeStatus.ACCEPTEE:
                target.granted += _money(granted)

    waiting = (Demande.status.in_(OPEN_STATUSES), unchanged_for_more_than(waiting_days))
    waiting_counts = defaultdict(int)
    for status, count in db.session.execute(
        select(Demande.status, func.count(Demande.id)).where(*waiting).group_by(Demande.status)
    ):
        waiting_counts[status] = count
    oldest = list(
        db.session.scalars(
            select(Demande)
            .where(*waiting)
            # What the dashboard's table shows of each, loaded with them (no query per row).
            .options(
                selectinload(Demande.structure),
                selectinload(Demande.teleservice_version).selectinload(TeleserviceVersion.teleservice),
            )
            .order_by(Demande.updated_at, Demande.id)
            .limit(oldest_limit)
        )
    )
    return Dashboard(
        rows=sorted(figures.values(), key=lambda f: f.code),
        totals=totals,
        waiting_days=waiting_days,
        waiting_counts=dict(waiting_counts),
        waiting_oldest=oldest,
    )
