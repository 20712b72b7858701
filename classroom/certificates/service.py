"""``CertificateService``: what the certificate commands and the download route call, one transaction each.

Checking a code is for anyone and says only whose certificate it is, for which course and run, the dates and
when it was issued; listing and downloading are the holder's alone (by their Entra object id)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.certificates import codes, links
from classroom.certificates.cpd_entries import add_missing_cpd_entries
from classroom.certificates.loading import certificates_of, verified_of, view_of
from classroom.certificates.pdf import render_certificate
from classroom.certificates.views import CertificateFile, CertificateLinkIssued, CertificateView, VerifiedCertificate
from classroom.clock import Clock
from classroom.errors import InvalidInput, NotFound
from classroom.periodic import PeriodicJob
from classroom.reflection.sealing import Sealer
from classroom.transactions import SessionFactory, in_transaction
from storage.models import Certificate

log = logging.getLogger(__name__)

MAX_LISTED = 10


@dataclass(frozen=True)
class CertificatePolicy:
    link_ttl: timedelta = links.LINK_TTL


class CertificateService:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        zone: ZoneInfo,
        sealer: Sealer | None = None,
        policy: CertificatePolicy | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._zone = zone
        self._sealer = sealer  # the reflection keys, for CPD entries the issuer could not make
        self.policy = policy or CertificatePolicy()

    def cpd_job(self) -> PeriodicJob:
        """Make the CPD entries of certificates issued without the reflection keys (nothing without keys here)."""

        async def job(session: AsyncSession) -> None:
            if self._sealer is None:
                return
            made = await add_missing_cpd_entries(session, sealer=self._sealer, zone=self._zone, now=self._clock.now())
            if made:
                log.info("certificates: %d CPD entries made", made)

        return job

    async def verify(self, typed: str) -> VerifiedCertificate:
        """The certificate a typed code names. Raises InvalidInput when it cannot be a code, NotFound when it is
        no certificate's (or no longer: its holder was erased)."""
        code = codes.normalised(typed)
        if code is None:
            raise InvalidInput("not a certificate code")

        async def unit(session: AsyncSession) -> VerifiedCertificate:
            row = await session.scalar(select(Certificate).where(Certificate.code == code))
            if row is None:
                raise NotFound("no such certificate")
            return verified_of(row)

        return await in_transaction(self._session_factory, unit)

    async def mine(self, aad_object_id: str, code: str | None = None) -> list[CertificateLinkIssued]:
        """The caller's certificates (newest first, at most ``MAX_LISTED``; or the one with ``code``), each with a
        fresh download link."""
        wanted = codes.normalised(code) if code else None

        async def unit(session: AsyncSession) -> list[CertificateLinkIssued]:
            now = self._clock.now()
            rows = await certificates_of(session, aad_object_id)
            if code:
                rows = [row for row in rows if row.code == wanted]
            issued = []
            for row in rows[:MAX_LISTED]:
                token, expires_at = await links.issue_link(session, row.id, now, self.policy.link_ttl)
                issued.append(CertificateLinkIssued(view_of(row), token, expires_at))
            return issued

        return await in_transaction(self._session_factory, unit)

    async def pdf(self, token: str) -> CertificateFile:
        """The PDF behind a live link. Raises NotFound for a malformed, unknown or expired token (all alike)."""

        async def unit(session: AsyncSession) -> CertificateView:
            certificate_id = await links.certificate_for_token(session, token, self._clock.now())
            row = await session.get(Certificate, certificate_id) if certificate_id is not None else None
            if row is None:
                raise NotFound("no such download")
            return view_of(row)

        view = await in_transaction(self._session_factory, unit)
        # About a tenth of a second of CPU (fonts subset and embedded): off the event loop, so other turns go on.
        content = await asyncio.to_thread(render_certificate, view, self._zone)
        return CertificateFile(f"certificate-{view.run_code}-{view.code}.pdf", content)
