"""Organisations in the catalogue file list their evidence: Entra tenant ids and email domains, checked,
bounded and lower-cased; one value names one organisation."""

from __future__ import annotations

from pathlib import Path

from classroom.catalogue.file_format import MAX_EMAIL_DOMAINS, load_catalogue
from tests.classroom.test_catalogue_file import VALID, line_of, only_problem, write

TENANT = "72F988BF-86F1-41AF-91AB-2D7CD011DB47"
WITH_EVIDENCE = VALID.replace(
    "    price_band: 1\n",
    f"    price_band: 1\n    tenant_ids: [{TENANT}]\n    email_domains: [Brighton-Hove.gov.uk, bhcc.example]\n"
    "  - name: Downland County Council\n    price_band: 2\n    email_domains: [downland.gov.uk]\n",
    1,
)


def test_evidence_is_loaded_lower_cased(tmp_path: Path) -> None:
    document = load_catalogue(write(tmp_path, WITH_EVIDENCE))
    bhcc, downland = document.organisations
    assert bhcc.tenant_ids == (TENANT.lower(),)
    assert bhcc.email_domains == ("brighton-hove.gov.uk", "bhcc.example")
    assert (downland.tenant_ids, downland.email_domains) == ((), ("downland.gov.uk",))


def test_evidence_is_optional(tmp_path: Path) -> None:
    [organisation] = load_catalogue(write(tmp_path, VALID)).organisations
    assert (organisation.tenant_ids, organisation.email_domains) == ((), ())


def test_a_domain_under_two_organisations_is_an_error_naming_both(tmp_path: Path) -> None:
    text = WITH_EVIDENCE.replace("email_domains: [downland.gov.uk]", "email_domains: [downland.gov.uk, BHCC.example]")
    problem = only_problem(write(tmp_path, text), "organisations[1].email_domains[1]")
    assert problem.line == line_of(text, "BHCC.example")
    assert problem.message == (
        "email domain bhcc.example is already used at organisations[0].email_domains[1] "
        f"(line {line_of(text, 'bhcc.example')})"
    )


def test_a_tenant_under_two_organisations_is_an_error(tmp_path: Path) -> None:
    text = WITH_EVIDENCE.replace("price_band: 2\n", f"price_band: 2\n    tenant_ids: [{TENANT.lower()}]\n")
    problem = only_problem(write(tmp_path, text), "organisations[1].tenant_ids[0]")
    assert f"tenant id {TENANT.lower()} is already used at organisations[0].tenant_ids[0]" in problem.message


def test_malformed_evidence_is_refused(tmp_path: Path) -> None:
    text = WITH_EVIDENCE.replace("bhcc.example]", '"@bhcc.example"]').replace(TENANT, "not a tenant")
    path = write(tmp_path, text)
    assert "email domain" in only_problem(path, "organisations[0].email_domains[1]").message
    assert "Entra tenant id" in only_problem(path, "organisations[0].tenant_ids[0]").message


def test_evidence_lists_are_bounded(tmp_path: Path) -> None:
    many = ", ".join(f"d{n}.example" for n in range(MAX_EMAIL_DOMAINS + 1))
    text = WITH_EVIDENCE.replace("email_domains: [downland.gov.uk]", f"email_domains: [{many}]")
    problem = only_problem(write(tmp_path, text), "organisations[1].email_domains")
    assert str(MAX_EMAIL_DOMAINS) in problem.message
