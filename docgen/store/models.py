"""The tables. Documents keep their data as JSON shaped by their type's definition."""
from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any, Iterable

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, MetaData, String,
                        Text, UniqueConstraint, text)
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, validates

from ..context import Letterhead
from ..rules import add_months, date_of

ROLE_ASSISTANT = "asystent"
ROLE_HEAD = "kierownik"
ROLE_ADMIN = "admin"
ROLES = {ROLE_ASSISTANT: "asystent rodziny", ROLE_HEAD: "kierownik ośrodka", ROLE_ADMIN: "administrator"}

# art. 15 ust. 4 of the Act: "nie może przekroczyć 15"; an office may set a lower limit, never a higher one
MAX_CASELOAD = 15

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
    __table_args__ = (CheckConstraint(f"caseload_limit BETWEEN 1 AND {MAX_CASELOAD}", name="caseload_limit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # "MOPS.AR" + JRWA "4101" -> MOPS.AR.4101.7.2026
    case_prefix: Mapped[str] = mapped_column(String(50))
    jrwa_symbol: Mapped[str] = mapped_column(String(20), default="4101")
    # art. 15 ust. 4: at most 15 families per assistant; an office may lower it (the database
    # refuses more than MAX_CASELOAD, and so does `_caseload_within_the_act` before it)
    caseload_limit: Mapped[int] = mapped_column(Integer, default=MAX_CASELOAD)
    # a login session ends after this many minutes without a request
    session_timeout_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # a closed case is anonymised this many years after work with the family ended
    retention_years: Mapped[int] = mapped_column(Integer, default=10)
    # document types that open a case of their own instead of joining the family's one (a court
    # opinion registered as the reply to the court's letter), with the JRWA class of that case
    # ("" = `jrwa_symbol`): {"court_opinion": ""}. Empty: one case per family (docgen.store.cases)
    own_case_types: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    @validates("caseload_limit")
    def _caseload_within_the_act(self, _key: str, value: int) -> int:
        if value is None or not 1 <= int(value) <= MAX_CASELOAD:
            raise ValueError(f"Limit rodzin na asystenta: od 1 do {MAX_CASELOAD} (art. 15 ust. 4 ustawy), "
                             f"podano {value}.")
        return int(value)

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
    # the previous login: a head is shown what the admin confirmed alone since then
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # an admin's second factor (TOTP, RFC 6238): the shared secret and the last time step used
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    office: Mapped[Office] = relationship()

    # the session protocol of login libraries (duck-typed, so the engine needs no Flask)
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)


class LoginSession(Base):
    """One login in one browser. The cookie holds a random token; the row (keyed by its SHA-256)
    is what makes the cookie valid, so deleting it ends that session at its next request."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)

    user: Mapped[User] = relationship()


CHANGE_PENDING = "pending"
CHANGE_CONFIRMED = "confirmed"
CHANGE_REFUSED = "refused"
CHANGE_CANCELLED = "cancelled"


class AccountChange(Base):
    """An admin's change that would give someone the head's access to every family of the office
    (a new head account, the head's role, a head's new password). It waits for another head of
    the office, or, where there is none, for the admin's second factor (docgen/store/approvals.py)."""

    __tablename__ = "account_change"
    __table_args__ = (Index("ix_account_change_office_status", "office_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # new_head | promotion | password
    # the new password's hash until the change is decided (then cleared)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    status: Mapped[str] = mapped_column(String(20), default=CHANGE_PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # confirmed by the admin's own second factor, for want of another head: shown to every head
    second_factor: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Family(Base):
    __tablename__ = "family"
    # an assistant's dashboard filters on (assistant, office, due date): with two equalities this index
    # wins over the office's one on SQLite by the shape of the query alone, with no ANALYZE statistics
    __table_args__ = (Index("ix_family_office_due", "office_id", "assessment_due"),
                      Index("ix_family_assistant_due", "assistant_id", "office_id", "assessment_due"),
                      Index("ix_family_office_monitoring", "office_id", "monitoring_until"))

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    assistant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    family_name: Mapped[str] = mapped_column(String(200))
    # the name in running text, genitive plural ("opinia o rodzinie Zawadzkich"): suggested by
    # docgen.polish.family_name_forms, corrected by the assistant where it is wrong
    family_name_gen: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    # the family's social worker: an account of the office (art. 17 is checked by its id), or a
    # person without one, by name only; the name is what documents print
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
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
    # the monitoring after work ended (art. 15 ust. 1 pkt 16), as a closing report fixed it
    monitoring_from: Mapped[dt.date | None] = mapped_column(Date)
    monitoring_to: Mapped[dt.date | None] = mapped_column(Date)
    # when the next periodic assessment is due; kept by `_refresh_assessment_due` from the stored
    # dates (never typed in), so the dashboard finds overdue families through an index
    assessment_due: Mapped[dt.date | None] = mapped_column(Date)
    # the last day of monitoring after work ended (art. 15 ust. 1 pkt 16): the card's `monitoring_to`
    # when recorded there, else the latest generated closing report's or monitoring note's; kept by
    # `_refresh_monitoring_until`, never typed in, so the lists find it through an index
    monitoring_until: Mapped[dt.date | None] = mapped_column(Date)
    # folded name, address, court and referral numbers and members' names (see fold_text), kept by
    # `_refresh_family_search`: the family list searches it with LIKE and sorts on it
    search_text: Mapped[str] = mapped_column(Text, default="")
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    office: Mapped[Office] = relationship()
    assistant: Mapped[User | None] = relationship(foreign_keys=[assistant_id])
    social_worker: Mapped[User | None] = relationship(foreign_keys=[social_worker_id])
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
    # "K" or "M", for a person without a PESEL (which tells it): "podpisany" or "podpisana"
    sex: Mapped[str | None] = mapped_column(String(1))
    relation: Mapped[str] = mapped_column(String(20))
    in_household: Mapped[bool] = mapped_column(Boolean, default=True)
    took_part: Mapped[bool] = mapped_column(Boolean, default=False)
    # a child placed in foster care: the family's plan must be the coordinated one
    foster_care: Mapped[bool] = mapped_column(Boolean, default=False)
    # --- what documents ask about a person (docgen.casefile.PERSON_DETAILS) ---
    employment: Mapped[str | None] = mapped_column(String(30))  # a code of casefile.EMPLOYMENT
    disability: Mapped[str | None] = mapped_column(String(30))  # a code of casefile.DISABILITY
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    # --- a child in foster care: the placement (docgen.casefile.PLACEMENT_FIELDS) ---
    care_form: Mapped[str | None] = mapped_column(String(30))  # a code of casefile.CARE_FORMS
    care_name: Mapped[str | None] = mapped_column(String(300))
    placement_date: Mapped[dt.date | None] = mapped_column(Date)
    placement_court: Mapped[str | None] = mapped_column(String(300))
    placement_case_number: Mapped[str | None] = mapped_column(String(50))
    placement_order_date: Mapped[dt.date | None] = mapped_column(Date)
    # --- end of the person's document fields ---

    family: Mapped[Family] = relationship(back_populates="members")


class CaseCounter(Base):
    """The spis spraw's last number, kept per office, JRWA class and year; numbers are never reused."""

    __tablename__ = "case_counter"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), primary_key=True)
    jrwa_symbol: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class CaseFile(Base):
    """A case (sprawa) of the office's spis spraw: the znak sprawy every document filed in it prints.

    A family's case (`family_case`) is opened by the first of its documents that carries a znak and
    holds them all; a type the office set to open a case of its own gets one per document. The row
    holds no personal data and stays when its family is deleted, so the spis spraw keeps its entry."""

    __tablename__ = "case_file"
    __table_args__ = (
        UniqueConstraint("office_id", "jrwa_symbol", "year", "number", name="uq_case_file_number"),
        # one family case per family, whoever opens it first
        Index("uq_case_file_family_case", "family_id", unique=True,
              sqlite_where=text("family_case"), postgresql_where=text("family_case")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id", ondelete="SET NULL"))
    family_case: Mapped[bool] = mapped_column(Boolean, default=False)
    jrwa_symbol: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    # the znak as printed, "MOPS.AR.4101.7.2026": the prefix of its day, never recomposed
    reference: Mapped[str] = mapped_column(String(100))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    # the type of the document whose generation opened it
    opened_by: Mapped[str] = mapped_column(String(50))


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (Index("ix_document_type_family", "doc_type", "family_id", "document_date"),
                      Index("ix_document_office_status", "office_id", "status", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(10), default=STATUS_DRAFT)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # how many times it was generated; each generation is a new GeneratedFile
    version: Mapped[int] = mapped_column(Integer, default=0)
    # the znak sprawy its versions print (its case's reference); None for a family member's letter or CV
    case_number: Mapped[str | None] = mapped_column(String(100))
    case_file_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="SET NULL"), index=True)
    # the date the last generated version bears (its type's date field); deadlines run from it
    document_date: Mapped[dt.date | None] = mapped_column(Date)
    # `Issue.key`s of the warnings the user confirmed on purpose (docgen.validate.blocking)
    confirmed_warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    # the wizard step last shown (a section's name, or "review"): resuming the draft opens it
    last_step: Mapped[str | None] = mapped_column(String(50))
    # an office's own type: the version of its definition the document is made by (None: a built-in
    # type, or a shipped one as shipped); it changes only when the assistant moves the document to a
    # newer version (docgen.store.office_types.migrate_document)
    type_version_id: Mapped[int | None] = mapped_column(ForeignKey("office_type_version.id", ondelete="SET NULL"))
    # a generated plan's dated rows, [{"day": "2026-12-10", "text": "…", "key": "actions-0"}], kept by
    # `_refresh_plan_deadlines`: the calendar reads these few bytes instead of the whole plan
    deadlines: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    family: Mapped[Family] = relationship(back_populates="documents")
    case_file: Mapped[CaseFile | None] = relationship()
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


# --- the deadlines of a plan, for the calendar -------------------------------------------------

PLAN_TYPES = ("work_plan", "coordinated_plan")
# the rows of a plan that carry a deadline: (repeat name, the field that says what is due)
PLAN_DEADLINE_ROWS = (("actions", "action"), ("return_conditions", "condition"))
DEADLINE_TEXT_MAX = 300


def plan_deadlines(data: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    for group, text_field in PLAN_DEADLINE_ROWS:
        for index, row in enumerate(data.get(group) or []):
            day = date_of(row, "deadline") if isinstance(row, dict) else None
            if day is not None:
                found.append({"day": day.isoformat(), "text": str(row.get(text_field) or "")[:DEADLINE_TEXT_MAX],
                              "key": f"{group}-{index}"})
    return found


@event.listens_for(Session, "before_flush")
def _refresh_plan_deadlines(session: Session, context: Any, instances: Any) -> None:
    for document in (*session.new, *session.dirty):
        if isinstance(document, Document) and document.doc_type in PLAN_TYPES:
            deadlines = plan_deadlines(document.data or {}) if (document.version or 0) > 0 else None
            if document.deadlines != deadlines:
                document.deadlines = deadlines


# --- the monitoring period after work ends ------------------------------------------------

MONITORING_TYPES = ("closing_report", "monitoring_note")


def monitoring_period(documents: Iterable[Any]) -> tuple[dt.date | None, dt.date | None]:
    """(from, to) of monitoring as the latest generated closing report or monitoring note of the
    documents sets it (a note deciding to go on may extend what the report planned)."""
    made = [d for d in documents if d.doc_type in MONITORING_TYPES and (d.version or 0) > 0]
    if not made:
        return None, None
    source = max(made, key=lambda d: (d.document_date or dt.date.min, d.id or 0))
    return date_of(source.data or {}, "monitoring_from"), date_of(source.data or {}, "monitoring_to")


@event.listens_for(Session, "before_flush")
def _refresh_monitoring_until(session: Session, context: Any, instances: Any) -> None:
    families = {obj.family for obj in (*session.new, *session.dirty, *session.deleted)
                if isinstance(obj, Document) and obj.doc_type in MONITORING_TYPES and obj.family is not None}
    families |= {obj for obj in (*session.new, *session.dirty) if isinstance(obj, Family)}
    for family in families:
        if family in session.deleted:
            continue
        # what the assistant recorded on the family card comes first (docgen.store.cardsync offers it)
        until = family.monitoring_to or monitoring_period(family.documents)[1]
        if family.monitoring_until != until:
            family.monitoring_until = until


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


def family_search_text(family: Family) -> str:
    people = " ".join(f"{p.first_name} {p.last_name}" for p in family.members)
    # the name comes first, so ordering by this column orders by name
    return "\n".join(fold_text(part) for part in (family.family_name, family.address, people,
                                                   family.court_case_number or "", family.referral_ref or ""))


@event.listens_for(Session, "before_flush")
def _refresh_family_search(session: Session, context: Any, instances: Any) -> None:
    """Whatever changed a family's name, address or members, its search text follows."""
    changed = [*session.new, *session.dirty]
    families = {obj for obj in changed if isinstance(obj, Family)}
    families |= {obj.family for obj in (*changed, *session.deleted) if isinstance(obj, Person) and obj.family is not None}
    for family in families:
        if family in session.deleted:
            continue
        text = family_search_text(family)
        if family.search_text != text:
            family.search_text = text


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


# --- the offices' own document types (docgen.store.office_types) -----------------------------

TYPE_DRAFT = "draft"
TYPE_PUBLISHED = "published"


class OfficeTypeVersion(Base):
    """A version of a document type an office defines without code: its definition (JSON, the format of
    docgen/custom/definition.py) and its Word template, a file under the output folder like an office's
    template (`storage_path`, written once, its `sha256` verified on every read).

    A draft's definition is corrected in place until it is published; a published version never changes
    again (documents made by it keep it: `Document.type_version_id`). Rows go only with their office."""

    __tablename__ = "office_type_version"
    __table_args__ = (UniqueConstraint("office_id", "type_id", "number", name="uq_office_type_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    type_id: Mapped[str] = mapped_column(String(50))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    # the template's name as uploaded, shown to people
    filename: Mapped[str] = mapped_column(String(255))
    storage_path: Mapped[str] = mapped_column(String(500), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=TYPE_DRAFT)
    # where it started: "szablon", "wersja v2", "typ wbudowany Karta wizyty"…
    based_on: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def published(self) -> bool:
        return self.status == TYPE_PUBLISHED

    @property
    def label(self) -> str:
        return f"v{self.number}"


class OfficeType(Base):
    """Which version of a type the office's new documents are made by, one row per office and type. No
    row, or no version: a shipped type as shipped (an office's own type has a row from its first
    publishing). `withdrawn`: not offered for new documents (those made already keep working)."""

    __tablename__ = "office_type"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), primary_key=True)
    type_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("office_type_version.id", ondelete="SET NULL"))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    version: Mapped[OfficeTypeVersion | None] = relationship()


# --- a user's calendar feed (iCalendar) -------------------------------------------------------

class CalendarFeed(Base):
    """The secret address of a user's deadlines as an .ics feed (Outlook, a phone). Only a hash of
    the token is kept: the address is shown once, when made; revoking deletes the row."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    # sha256 of the token, hex
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


# --- a user's tokens for the JSON API (webforms/api) ---------------------------------------------

API_TOKEN_PREFIX = "dar_"  # "dokumenty asystenta rodziny": a leaked token is recognisable in a log or a scan


class ApiToken(Base):
    """A named key another system of the office calls /api/v1 with, acting as its user (role and
    office). Only the SHA-256 of the token is kept; it is shown once, when made. Revoking keeps the
    row (its name and dates stay readable), and the token stops working at once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # sha256 of the whole token, hex; the first characters are kept to tell tokens apart on the page
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_start: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
