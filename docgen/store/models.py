"""The tables. Documents keep their data as JSON shaped by their type's definition."""
from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from ..render import Letterhead
from ..rules import add_months

ROLE_ASSISTANT = "asystent"
ROLE_HEAD = "kierownik"
ROLE_ADMIN = "admin"
ROLES = {ROLE_ASSISTANT: "asystent rodziny", ROLE_HEAD: "kierownik ośrodka", ROLE_ADMIN: "administrator"}

STATUS_DRAFT = "draft"
STATUS_FINAL = "final"


# Every constraint gets a predictable name, the same on SQLite and PostgreSQL, so a later
# migration can drop or change it by name (SQLite's batch mode needs names to do that).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Office(Base):
    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # "MOPS.AR" + JRWA "4101" -> MOPS.AR.4101.7.2026
    case_prefix: Mapped[str] = mapped_column(String(50))
    jrwa_symbol: Mapped[str] = mapped_column(String(20), default="4101")
    # art. 15 ust. 4: at most 15 families per assistant; the Act changes, so it is a setting
    caseload_limit: Mapped[int] = mapped_column(Integer, default=15)
    # a login session ends after this many minutes without a request
    session_timeout_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # a closed case is anonymised this many years after work with the family ended
    retention_years: Mapped[int] = mapped_column(Integer, default=10)

    def letterhead(self) -> Letterhead:
        return Letterhead(name=self.name, address=self.address, city=self.city, phone=self.phone, email=self.email)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    office: Mapped[Office] = relationship()

    # the session protocol of login libraries (duck-typed, so the engine needs no Flask)
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)


class Family(Base):
    __tablename__ = "family"
    # an assistant's dashboard filters on (assistant, office, due date): with two equalities this index
    # wins over the office's one on SQLite by the shape of the query alone, with no ANALYZE statistics
    __table_args__ = (Index("ix_family_office_due", "office_id", "assessment_due"),
                      Index("ix_family_assistant_due", "assistant_id", "office_id", "assessment_due"))

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    assistant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    family_name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    social_worker_name: Mapped[str] = mapped_column(String(200), default="")
    assignment_date: Mapped[dt.date | None] = mapped_column(Date)
    referral_ref: Mapped[str] = mapped_column(String(100), default="")
    basis: Mapped[str] = mapped_column(String(20), default="")  # "zgoda" | "postanowienie"
    consent_date: Mapped[dt.date | None] = mapped_column(Date)
    court_name: Mapped[str] = mapped_column(String(300), default="")
    court_case_number: Mapped[str] = mapped_column(String(50), default="")
    court_order_date: Mapped[dt.date | None] = mapped_column(Date)
    coordinator_name: Mapped[str] = mapped_column(String(200), default="")
    coordinator_unit: Mapped[str] = mapped_column(String(300), default="")
    coordinator_contact: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the day work with the family ended; the retention period runs from it
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    # when the next periodic assessment is due; kept by `_refresh_assessment_due` from the stored
    # dates (never typed in), so the dashboard finds overdue families through an index
    assessment_due: Mapped[dt.date | None] = mapped_column(Date)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    office: Mapped[Office] = relationship()
    assistant: Mapped[User | None] = relationship()
    members: Mapped[list["Person"]] = relationship(
        back_populates="family", order_by="Person.position", cascade="all, delete-orphan")
    documents: Mapped[list["Document"]] = relationship(
        back_populates="family", order_by="Document.id", cascade="all, delete-orphan")


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_foster_care", "foster_care", "family_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    pesel: Mapped[str | None] = mapped_column(String(11))
    relation: Mapped[str] = mapped_column(String(20))
    in_household: Mapped[bool] = mapped_column(Boolean, default=True)
    took_part: Mapped[bool] = mapped_column(Boolean, default=False)
    # a child placed in foster care: the family's plan must be the coordinated one
    foster_care: Mapped[bool] = mapped_column(Boolean, default=False)

    family: Mapped[Family] = relationship(back_populates="members")


class CaseCounter(Base):
    """The last case number given per office and year; numbers are never reused."""

    __tablename__ = "case_counter"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("office_id", "case_number", name="uq_document_case_number"),
                      Index("ix_document_type_family", "doc_type", "family_id", "document_date"),
                      Index("ix_document_office_status", "office_id", "status", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(10), default=STATUS_DRAFT)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # how many times it was generated; each generation is a new GeneratedFile
    version: Mapped[int] = mapped_column(Integer, default=0)
    case_number: Mapped[str | None] = mapped_column(String(100))
    # the date the last generated version bears (its type's date field); deadlines run from it
    document_date: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    family: Mapped[Family] = relationship(back_populates="documents")
    created_by: Mapped[User | None] = relationship()
    files: Mapped[list["GeneratedFile"]] = relationship(
        back_populates="document", order_by="GeneratedFile.id", cascade="all, delete-orphan")


class GeneratedFile(Base):
    __tablename__ = "generated_file"
    # a version number is given once per document (generate() locks the document; this is the backstop)
    __table_args__ = (UniqueConstraint("document_id", "version", name="uq_generated_file_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="docx")
    # the name offered on download, and where the bytes are, relative to the output folder
    filename: Mapped[str] = mapped_column(String(255))
    storage_path: Mapped[str] = mapped_column(String(500), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    template_name: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # the office's own template it was generated from (None: the built-in one); the number stays
    # should the version's row ever go
    template_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_version.id", ondelete="SET NULL"))
    template_version_number: Mapped[int | None] = mapped_column(Integer)

    document: Mapped[Document] = relationship(back_populates="files")
    created_by: Mapped[User | None] = relationship()




JOB_QUEUED = "queued"
JOB_RUNNING = "running"
JOB_FINISHED = "finished"
JOB_FAILED = "failed"


class PrintJob(Base):
    """A batch of generated versions printed into one PDF in the background.

    The state is stored so any process can report it; `heartbeat_at` is touched by the
    runner holding the job, so a job whose runner is gone (a restart) is seen as failed."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_office_created", "office_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # generated_file ids in print order
    file_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    cover_sheet: Mapped[bool] = mapped_column(Boolean, default=True)
    # each document starts on an odd page, for printing on both sides
    duplex: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=JOB_QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    # [{"file_id": 7, "name": "Plan pracy … (rodzina …)", "message": "…"}]
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(String(500), default="")
    # the merged PDF, relative to the output folder
    output_path: Mapped[str] = mapped_column(String(500), default="")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[User | None] = relationship()

    @property
    def total(self) -> int:
        return len(self.file_ids or [])


class AuditEntry(Base):
    """Who did what with which record, and when (RODO art. 5 ust. 2). Append-only: rows are
    never updated or deleted, and they hold ids, not personal data, so they outlive the
    records they mention (no foreign keys that would cascade)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    office_id: Mapped[int | None] = mapped_column(Integer, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(80), default="")
    # view, create, update, generate, download, delete, export, anonymise, login, login_failed, logout
    action: Mapped[str] = mapped_column(String(30))
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    family_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(String(300), default="")


# --- the assessment deadline -------------------------------------------------------------

ASSESSMENT = "periodic_assessment"
ASSESSMENT_EVERY_MONTHS = 6  # art. 15 ust. 1: "nie rzadziej niż co pół roku"


def next_assessment_due(family: Family) -> dt.date | None:
    """6 months after the last generated assessment, or after the assignment when there is none."""
    assessed = [d.document_date for d in family.documents if d.doc_type == ASSESSMENT and d.document_date]
    since = max(assessed) if assessed else family.assignment_date
    return add_months(since, ASSESSMENT_EVERY_MONTHS) if since else None


@event.listens_for(Session, "before_flush")
def _refresh_assessment_due(session: Session, context: Any, instances: Any) -> None:
    """Whatever changed a family's assignment date or its assessments, its deadline follows."""
    families = {obj for obj in (*session.new, *session.dirty) if isinstance(obj, Family)}
    families |= {obj.family for obj in (*session.new, *session.dirty)
                 if isinstance(obj, Document) and obj.doc_type == ASSESSMENT and obj.family is not None}
    for family in families:
        due = next_assessment_due(family)
        if family.assessment_due != due:
            family.assessment_due = due


# --- the directory of local institutions ("wykaz placówek") -------------------------------

_FOLD = str.maketrans({"ł": "l", "Ł": "l"})  # the one Polish letter NFD does not decompose


def fold_text(text: str) -> str:
    """Lower case without diacritics ("Świetlica" -> "swietlica"): the same matching and order on
    SQLite (whose lower() knows only ASCII) and PostgreSQL, and a search typed without Polish letters."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_FOLD).casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


class Institution(Base):
    """An office's contact: a school, court, clinic or NGO families are referred to or write to."""

    __tablename__ = "institution"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))  # a code of docgen.store.institutions.KINDS
    address: Mapped[str] = mapped_column(String(500))  # may hold several lines
    phone: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[str] = mapped_column(Text, default="")  # "zakres kompetencji"
    nip: Mapped[str] = mapped_column(String(10), default="")  # digits only, checksum-valid
    regon: Mapped[str] = mapped_column(String(14), default="")
    # folded name, address and scope (see fold_text), kept by the listener below: searched with
    # LIKE and sorted on, so both databases behave alike
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    office: Mapped[Office] = relationship()


def institution_search_text(name: str, address: str, scope: str) -> str:
    # the name comes first, so ordering by this column orders by name
    return "\n".join(fold_text(part) for part in (name, address, scope))


@event.listens_for(Institution, "before_insert")
@event.listens_for(Institution, "before_update")
def _refresh_institution_search(_mapper: Any, _connection: Any, target: Institution) -> None:
    target.search_text = institution_search_text(target.name, target.address, target.scope or "")


# --- the offices' own Word templates (docgen.store.templates) --------------------------------

class TemplateVersion(Base):
    """A Word template of a document type uploaded by an office: version 1, 2, 3… of that type there.

    Accepted only after the template check; the .docx is a file under the output folder
    (`storage_path`, written once, never changed, its `sha256` verified on every read). Rows stay
    (they go only with their office): generated documents name the version they were made from."""

    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("office_id", "doc_type", "number", name="uq_template_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    doc_type: Mapped[str] = mapped_column(String(50))
    number: Mapped[int] = mapped_column(Integer)
    # the name the file was uploaded under, shown to people
    filename: Mapped[str] = mapped_column(String(255))
    storage_path: Mapped[str] = mapped_column(String(500), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # passed docgen.templates.check_template when uploaded
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    uploaded_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return f"szablon ośrodka v{self.number}"


class ActiveTemplate(Base):
    """Which template an office's documents of a type are generated from. No row, or no version:
    the built-in one. One row per office and type, so there is never more than one."""

    __tablename__ = "active_template"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(50), primary_key=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("template_version.id", ondelete="SET NULL"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    version: Mapped[TemplateVersion | None] = relationship()
