"""Export, end of work, anonymisation and deletion of a family through the web pages."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from sqlalchemy import select

from docgen.doctypes import get_doctype
from docgen.store.documents import create_document, file_path, generate
from docgen.store.models import AuditEntry, Family, User


def _family_with_plan(session):
    user = session.scalars(select(User).where(User.username == "asystent1")).one()
    family = session.scalars(select(Family).where(Family.assistant_id == user.id).order_by(Family.id)).first()
    document = create_document(session, family, "work_plan", user)
    document.data = get_doctype("work_plan").example()
    record = generate(session, document, user)
    session.commit()
    return family, record


def test_export_zip_holds_the_data_and_the_documents(login, session):
    family, record = _family_with_plan(session)
    response = login("asystent1").get(f"/rodziny/{family.id}/eksport")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("rodzina.json").decode("utf-8"))
    assert family.family_name in json.dumps(data, ensure_ascii=False)
    names = archive.namelist()
    inside = [name for name in names if name.endswith(record.filename)]
    assert inside and archive.read(inside[0]) == file_path(record).read_bytes()
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "export",
                                                    AuditEntry.family_id == family.id)).one()


def test_only_the_head_anonymises_and_only_after_the_retention_period(login, session):
    family, record = _family_with_plan(session)
    name, members = family.family_name, [p.last_name for p in family.members]
    assistant, head = login("asystent1"), login("kierownik")
    assert assistant.post(f"/rodziny/{family.id}/anonimizacja").status_code == 404
    assert assistant.post(f"/rodziny/{family.id}/usuniecie", data={"confirm": "tak"}).status_code == 404

    today = dt.date.today()
    assert assistant.post(f"/rodziny/{family.id}/zakonczenie",
                          data={"closed_on": today.isoformat(), "confirm": "tak"}).status_code == 302
    page = head.post(f"/rodziny/{family.id}/anonimizacja", follow_redirects=True).get_data(as_text=True)
    assert "okres przechowywania" in page.lower() or "okresu przechowywania" in page.lower()
    session.expire_all()
    assert session.get(Family, family.id).anonymised_at is None and file_path(record).exists()

    session.get(Family, family.id).closed_on = today.replace(year=today.year - 11)
    session.commit()
    page = head.post(f"/rodziny/{family.id}/anonimizacja", follow_redirects=True).get_data(as_text=True)
    assert "zanonimizowano" in page
    assert name not in page and not any(last in page for last in members)
    assert not file_path(record).exists()


def test_deleting_a_family_leaves_no_files(login, session, output_dir):
    family, record = _family_with_plan(session)
    family_id, folder = family.id, file_path(record).parent
    head = login("kierownik")
    page = head.post(f"/rodziny/{family_id}/usuniecie", follow_redirects=True).get_data(as_text=True)
    assert "zaznacz potwierdzenie" in page
    assert file_path(record).exists()
    response = head.post(f"/rodziny/{family_id}/usuniecie", data={"confirm": "tak"})
    assert response.status_code == 302
    assert not file_path(record).exists() and not folder.exists()
    session.expire_all()
    assert session.get(Family, family_id) is None
    assert head.get(f"/rodziny/{family_id}").status_code == 404
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "delete",
                                                    AuditEntry.family_id == family_id)).one()
