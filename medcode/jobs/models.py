"""CareerCenter: employers, their postings, what coders save, and what staff moderate.

Full-text search over postings lives outside the ORM (migrations 0002 and 0003): an
external-content FTS5 table kept in step by triggers on SQLite, a stored weighted tsvector
with a GIN index on PostgreSQL, both over the text and the filter tokens. See search.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify


class WorkMode(models.TextChoices):
    REMOTE = "remote", "Remote"
    HYBRID = "hybrid", "Hybrid"
    ONSITE = "onsite", "On-site"


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", "Full-time"
    PART_TIME = "part_time", "Part-time"
    CONTRACT = "contract", "Contract"
    TEMPORARY = "temporary", "Temporary"
    PER_DIEM = "per_diem", "Per diem"
    INTERNSHIP = "internship", "Internship / apprentice"


class Credential(models.TextChoices):
    CPC = "CPC", "CPC (AAPC Certified Professional Coder)"
    COC = "COC", "COC (AAPC Certified Outpatient Coder)"
    CIC = "CIC", "CIC (AAPC Certified Inpatient Coder)"
    CRC = "CRC", "CRC (AAPC Certified Risk Adjustment Coder)"
    CCS = "CCS", "CCS (AHIMA Certified Coding Specialist)"
    CCS_P = "CCS-P", "CCS-P (AHIMA Certified Coding Specialist – Physician-based)"
    CCA = "CCA", "CCA (AHIMA Certified Coding Associate)"
    RHIT = "RHIT", "RHIT (AHIMA Registered Health Information Technician)"
    RHIA = "RHIA", "RHIA (AHIMA Registered Health Information Administrator)"
    CPMA = "CPMA", "CPMA (AAPC Certified Professional Medical Auditor)"


class Specialty(models.TextChoices):
    GENERAL = "general", "General / multispecialty"
    PROFEE = "profee", "Professional fee (physician)"
    INPATIENT = "inpatient", "Inpatient facility"
    OUTPATIENT = "outpatient", "Outpatient facility"
    EMERGENCY = "emergency", "Emergency department"
    RISK_ADJUSTMENT = "risk_adjustment", "Risk adjustment (HCC)"
    AUDITING = "auditing", "Auditing and compliance"
    CDI = "cdi", "Clinical documentation integrity"
    SURGERY = "surgery", "Surgery"
    ORTHOPEDICS = "orthopedics", "Orthopedics"
    CARDIOLOGY = "cardiology", "Cardiology"
    ONCOLOGY = "oncology", "Oncology"
    RADIOLOGY = "radiology", "Radiology"
    ANESTHESIA = "anesthesia", "Anesthesia and pain management"
    PATHOLOGY = "pathology", "Pathology and laboratory"
    BEHAVIORAL = "behavioral", "Behavioral health"
    HOME_HEALTH = "home_health", "Home health and hospice"
    DENTAL = "dental", "Dental"
    BILLING = "billing", "Billing and revenue cycle"


class SalaryPeriod(models.TextChoices):
    HOUR = "hour", "per hour"
    MONTH = "month", "per month"
    YEAR = "year", "per year"


# What one unit of each period is worth in a year (2,080 working hours), to compare salaries.
PERIODS_PER_YEAR = {SalaryPeriod.HOUR: 2080, SalaryPeriod.MONTH: 12, SalaryPeriod.YEAR: 1}


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending review"
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"
    EXPIRED = "expired", "Expired"
    REMOVED = "removed", "Taken down by staff"


# Seen only by the employer who owns the posting and by staff.
PRIVATE_STATUSES = frozenset({Status.DRAFT, Status.PENDING, Status.REMOVED})


US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"),
    ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"),
    ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"),
    ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"),
    ("OR", "Oregon"), ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"),
    ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]  # fmt: skip


# Action paths under /jobs/<id>/ that a title's slug must not shadow (see urls.py).
RESERVED_SLUGS = frozenset({"apply", "save", "unsave", "report"})


class Employer(models.Model):
    """The employer role on an account: the user may post jobs for `company`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer"
    )
    company = models.CharField(max_length=120)
    website = models.URLField(max_length=300, blank=True)
    is_verified = models.BooleanField(
        default=False, help_text="Staff checked the company; edits to live postings stay live."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.company


class PostingQuerySet(models.QuerySet["Posting"]):
    def live(self, *, on: dt.date | None = None) -> PostingQuerySet:
        """Live and not past their expiry date (whether or not the expiry task has run)."""
        today = on or timezone.localdate()
        return self.filter(status=Status.LIVE, expires_on__gte=today)


class Posting(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="postings")
    title = models.CharField(max_length=120)
    company = models.CharField(max_length=120)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, choices=US_STATES, blank=True)
    work_mode = models.CharField(max_length=8, choices=WorkMode.choices)
    employment_type = models.CharField(max_length=12, choices=EmploymentType.choices)
    specialty = models.CharField(max_length=20, choices=Specialty.choices)
    experience_years = models.PositiveSmallIntegerField(
        default=0, help_text="Years of coding experience asked for (0: entry level)."
    )
    salary_min = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    salary_max = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    salary_period = models.CharField(
        max_length=8, choices=SalaryPeriod.choices, default=SalaryPeriod.YEAR
    )
    # Derived from salary_* by services.save_posting, so searches filter and sort in one unit.
    annual_salary_min = models.PositiveIntegerField(null=True, blank=True, editable=False)
    annual_salary_max = models.PositiveIntegerField(null=True, blank=True, editable=False)
    description = models.TextField(help_text="Markdown; rendered and sanitised on display.")
    apply_url = models.URLField(max_length=500, blank=True)
    apply_email = models.EmailField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    moderation_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True, help_text="When it went live.")
    expires_on = models.DateField()
    # The expiry notice is claimed, then stamped sent once the mail server took it: a task
    # whose worker died in between is retried and sends it (after a task lease), not twice.
    expiry_notice_claimed_at = models.DateTimeField(null=True, blank=True)
    expiry_notice_sent_at = models.DateTimeField(null=True, blank=True)
    # Derived by services.save_posting (search.facets_of): a token per filter value, indexed
    # with the text so a search with filters is answered inside the full-text index.
    search_facets = models.TextField(blank=True, default="", editable=False)
    view_count = models.PositiveIntegerField(default=0)
    apply_count = models.PositiveIntegerField(default=0)

    objects = PostingQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "-posted_at"], name="jobs_posting_live_newest"),
            models.Index(fields=["status", "expires_on"], name="jobs_posting_live_open"),
            models.Index(fields=["status", "-annual_salary_max"], name="jobs_posting_live_salary"),
            models.Index(fields=["employer", "-created_at"], name="jobs_posting_employer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_min__lte=models.F("salary_max")),
                name="jobs_posting_salary_min_le_max",
            ),
            models.CheckConstraint(
                condition=~Q(apply_url="", apply_email=""), name="jobs_posting_has_apply_route"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.company}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk, self.slug])

    @property
    def slug(self) -> str:
        slug = slugify(self.title)[:60].strip("-") or "job"
        return f"{slug}-job" if slug in RESERVED_SLUGS else slug

    @property
    def location(self) -> str:
        place = ", ".join(p for p in (self.city, self.state) if p)
        if self.work_mode == WorkMode.REMOTE:
            return f"Remote ({place})" if place else "Remote (US)"
        return place


class PostingCredential(models.Model):
    """A credential a posting asks for (one row each, so a filter is an indexed lookup)."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="credentials")
    credential = models.CharField(max_length=8, choices=Credential.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "posting"], name="jobs_credential_unique_per_posting"
            )
        ]

    def __str__(self) -> str:
        return self.credential


class SavedJob(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_jobs"
    )
    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "posting"], name="jobs_saved_job_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saved {self.posting_id}"


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class SavedSearch(models.Model):
    """A search a coder gets new postings for by email; `filters` holds the search form's
    fields other than the words (lists of choice values, numbers as strings)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    query = models.CharField(max_length=200, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(
        help_text="Postings that went live after this are in the next digest."
    )

    class Meta:
        indexes = [models.Index(fields=["is_active", "last_sent_at"], name="jobs_alerts_due")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.query or '(any)'} {self.frequency}"


class ReportReason(models.TextChoices):
    SPAM = "spam", "Spam or advertising"
    SCAM = "scam", "Scam, fee to apply, or asks for personal data"
    MISLEADING = "misleading", "Misleading pay, location or employer"
    DISCRIMINATORY = "discriminatory", "Discriminatory"
    FILLED = "filled", "Already filled or no longer open"
    OTHER = "other", "Something else"


class Report(models.Model):
    """A user's report that a posting is abusive; staff resolve it in the moderation queue."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_reports"
    )
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    details = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "reporter"], name="jobs_report_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.posting_id} {self.reason}"


class ModerationAction(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Sent back"
    CLOSE = "close", "Closed"
    DISMISS_REPORTS = "dismiss", "Reports dismissed"


class ModerationEvent(models.Model):
    """The audit trail of staff decisions on postings (never edited or deleted by the app)."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="moderation")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, help_text="The actor as they were then.")
    action = models.CharField(max_length=8, choices=ModerationAction.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.posting_id}"
        )


class DigestDelivery(models.Model):
    """One alert digest, due at `due_at`: claimed before it is sent, stamped once sent.

    A digest task that a dead worker left half done is retried (medcode.jobs.recovery); the
    retry finds this row and sends only if `sent_at` is still empty, so a digest goes out once
    even when the task runs twice.
    """

    alert = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="deliveries")
    due_at = models.DateTimeField()
    since = models.DateTimeField(help_text="The digest holds postings that went live after this.")
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "due_at"], name="jobs_digest_once")]

    def __str__(self) -> str:
        return f"digest of alert {self.alert_id} due {self.due_at:%Y-%m-%d %H:%M}"
