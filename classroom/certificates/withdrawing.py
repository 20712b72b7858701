"""Taking a certificate back: a trainer's correction after the run's last session can mean someone did not, after
all, attend every date. The certificate row goes (with its download links), so ``certificate CODE`` answers that
there is no such certificate, and its congratulations card is cancelled if it has not gone yet. A CPD entry already
made from it stays in its holder's log: that log is theirs to edit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.certificates.notices import issued_key
from classroom.outbox import cancel_by_dedupe_prefix
from storage.models import Certificate, CertificateLink


async def withdraw_certificates(session: AsyncSession, *, run_id: int, person_ids: Sequence[int]) -> int:
    """Delete these people's certificates of run ``run_id`` in the caller's transaction; how many there were."""
    if not person_ids:
        return 0
    certificate_ids = list(
        await session.scalars(
            select(Certificate.id).where(Certificate.run_id == run_id, Certificate.person_id.in_(list(person_ids)))
        )
    )
    for certificate_id in certificate_ids:
        await cancel_by_dedupe_prefix(session, issued_key(certificate_id))
    if certificate_ids:
        await session.execute(delete(CertificateLink).where(CertificateLink.certificate_id.in_(certificate_ids)))
        await session.execute(delete(Certificate).where(Certificate.id.in_(certificate_ids)))
    return len(certificate_ids)
