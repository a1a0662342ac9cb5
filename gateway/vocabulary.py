"""Words the API routes and the pages share, defined once: media types, role lists and the
sizes of uploads (the names people read for them are in gateway/labels.py). Pages and API
modules both import them from here, so a page never reaches into an API module for a constant."""
from __future__ import annotations

from services.common.actor import ROLES

# --- media types ---------------------------------------------------------------------------
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
PNG, JPEG = "image/png", "image/jpeg"
PDF = "application/pdf"
PHOTO_TYPES = (PNG, JPEG)
EVIDENCE_TYPES = (PNG, JPEG, PDF)  # a rectification's evidence: photos, or a scanned notice as PDF

# --- roles ---------------------------------------------------------------------------------
ACCOUNT_ROLES = ("member", "operator", "reviewer", "inspector", "admin", "secadmin", "auditor")  # an account's role (no subscribers)
assert set(ACCOUNT_ROLES) <= set(ROLES)

# --- uploads -------------------------------------------------------------------------------
MB = 1024 * 1024
IMPORT_MAX_BYTES = 5 * MB  # the largest registry file the units service takes
PHOTO_MAX_BYTES = 5 * MB  # supervision's default (config SUPERVISION.PHOTO_MAX_BYTES)
