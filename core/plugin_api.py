"""The stable surface for plugins: import from here, and nothing else from ``core``.

A test fails if a module under ``plugins/`` imports any other part of the core, so this
module is the contract: names are added here, never removed without a deprecation.
"""

from __future__ import annotations

from typing import Any, TypeVar

import pluggy
from flask import abort, g
from flask_babel import ngettext
from flask_login import current_user

from core.agenda.api import (
    BookableInfo,
    BookingInfo,
    BookingPolicy,
    BookingRefused,
    PlacesInfo,
    book,
    bookable_info,
    bookings_of,
    bookings_of_person,
    cancel_bookable,
    cancel_booking,
    counted_absences,
    create_bookable,
    delete_bookable,
    mark_attendance,
    places,
    update_bookable,
    waitlist_position,
)
from core.agenda.clock import PARIS, day_bounds, in_paris, paris_to_utc, paris_today
from core.auth.permissions import Level, access, has_role
from core.database import (
    Base,
    TimestampMixin,
    UTCDateTime,
    reads_first,
    session,
    string_enum,
    utcnow,
    write_intent,
)
from core.database.overlap import (
    Overlap,
    add_overlap_exclusion,
    drop_overlap_exclusion,
    save_without_overlap,
)
from core.mail import send_mail, send_mail_after_commit
from core.members.roles import Role
from core.pluginhost.contributions import (
    AgendaItem,
    AssociationRef,
    Indicator,
    NavEntry,
    PermissionDecl,
    PersonalData,
    PersonRef,
    PluginSettings,
    Section,
)
from core.pluginhost.directory import (
    NeighbourhoodRef,
    PartnerContactRef,
    PartnerRef,
    add_person,
    emails_of,
    neighbourhoods,
    partner,
    partner_contacts,
    partner_names,
    partners,
    people_names,
    people_of,
    person_email,
    person_in,
)
from core.pluginhost.hookspecs import PROJECT
from core.pluginhost.host import current_association, get_host
from core.pluginhost.state import associations_enabling
from core.web.dates import format_date as french_date

# exports
from core.web.exports import ExportColumn, export_table
from core.web.forms import (
    INVALID_FORM_STATUS,
    STRIP,
    CheckboxListField,
    ChoiceField,
    ConsentField,
    FrenchDateField,
    FrenchDateTimeField,
    FrenchIntegerField,
    add_error,
    max_length,
    not_blank,
    optional_email,
    optional_phone,
    required,
    required_input,
    whole_number,
)
from core.web.months import add_months, month_bounds, month_label, months_between
from core.web.numbers import french_decimal, parse_decimal
from core.web.params import as_id, day_param, id_arg
from core.web.reading import columns_as, id_urls
from core.web.refusals import Refused
from core.web.text import fold
from core.web.views import Page, external_url, see_other

# isort: split
# charts
from core.web.charts import Series, bar_chart
from core.web.numbers import format_number

# isort: split
# indicators
from core.pluginhost.small_cells import MASKED_UNIT, SMALL_CELL, masked_count

# isort: split
# public pages
from core.pluginhost.public import public_page
from core.web.rate_limits import RateLimited, client_address, rate_limit

# isort: split
# referrals to partners
from core.referrals.api import (
    BARRIER_LABELS,
    PartnerServiceRef,
    ReferralInfo,
    ReferralRefused,
    ReferralStatus,
    create_referral,
    partner_services,
    referrals_by_id,
    referrals_of_person,
)

# isort: split
# uploads
from core.web.upload_fields import UploadField
from core.web.uploads import (
    StoredFile,
    UploadRefused,
    accepts_uploads,
    delete_upload,
    send_upload,
    store_upload,
    stored_file_column,
)

hookimpl = pluggy.HookimplMarker(PROJECT)
Record = TypeVar("Record")

# Fixtures of the testing kit (pytest plugin ``maillage``, installed with Maillage).
TEST_FIXTURES = (
    "maillage_app",
    "maillage_client",
    "maillage_db",
    "maillage_association",
    "maillage_other_association",
    "maillage_people",
    "maillage_users",  # deprecated: core Person objects; use maillage_people
    "maillage_login",
    "maillage_as_user",
    "maillage_enable_plugin",
    "maillage_post",
    "maillage_outbox",
    "maillage_page_text",
    "maillage_route_matrix",
)


def plugin_associations() -> list[AssociationRef]:
    """Associations of the current user that enabled the plugin whose page this is."""
    return list(g.get("plugin_associations", []))


def association_or_404() -> AssociationRef:
    """The association named in the URL (``<association>``), checked by the host."""
    association = current_association()
    if association is None:
        abort(404)
    return association


def own_or_404(model: type[Record], record_id: int, association: AssociationRef) -> Record:
    """The plugin's record ``record_id`` if it belongs to ``association`` (its
    ``association_id``); 404 for anyone else's, or none: a record of another association is
    never told apart from one that does not exist."""
    record = session.get(model, record_id)
    if record is None or getattr(record, "association_id", None) != association.id:
        abort(404)
    return record


def require_role(association: AssociationRef, minimum: Role) -> None:
    """403 unless the current user holds ``minimum`` (or more) in the association."""
    if not has_role(association.id, minimum):
        abort(403)


def settings_for(plugin: str, association: AssociationRef) -> dict[str, Any]:
    """The plugin's settings for the association: saved values over the defaults."""
    return get_host().settings_for(plugin, association.id)


def current_person() -> PersonRef | None:
    if not current_user.is_authenticated:
        return None
    person = current_user.person
    return PersonRef(id=person.id, first_name=person.first_name, last_name=person.last_name)


__all__ = [
    "INVALID_FORM_STATUS",
    "PARIS",
    "STRIP",
    "TEST_FIXTURES",
    "AgendaItem",
    "AssociationRef",
    "Base",
    "BookableInfo",
    "BookingInfo",
    "BookingPolicy",
    "BookingRefused",
    "CheckboxListField",
    "ChoiceField",
    "ConsentField",
    "FrenchDateField",
    "FrenchDateTimeField",
    "FrenchIntegerField",
    "Indicator",
    "Level",
    "NavEntry",
    "NeighbourhoodRef",
    "Overlap",
    "Page",
    "PartnerContactRef",
    "PartnerRef",
    "PermissionDecl",
    "PersonRef",
    "PersonalData",
    "PlacesInfo",
    "PluginSettings",
    "Refused",
    "Role",
    "Section",
    "TimestampMixin",
    "UTCDateTime",
    "access",
    "add_error",
    "add_overlap_exclusion",
    "as_id",
    "association_or_404",
    "book",
    "bookable_info",
    "bookings_of",
    "bookings_of_person",
    "cancel_bookable",
    "cancel_booking",
    "columns_as",
    "counted_absences",
    "create_bookable",
    "current_person",
    "day_bounds",
    "day_param",
    "delete_bookable",
    "drop_overlap_exclusion",
    "fold",
    "has_role",
    "hookimpl",
    "id_arg",
    "id_urls",
    "in_paris",
    "mark_attendance",
    "max_length",
    "neighbourhoods",
    "ngettext",
    "not_blank",
    "own_or_404",
    "paris_to_utc",
    "paris_today",
    "partner",
    "partner_contacts",
    "partner_names",
    "partners",
    "people_names",
    "people_of",
    "person_in",
    "places",
    "plugin_associations",
    "reads_first",
    "require_role",
    "required",
    "required_input",
    "save_without_overlap",
    "see_other",
    "send_mail",
    "send_mail_after_commit",
    "session",
    "settings_for",
    "string_enum",
    "update_bookable",
    "utcnow",
    "waitlist_position",
    "whole_number",
    "write_intent",
]

# charts
__all__ += [
    "Series",
    "bar_chart",
    "format_number",
]

# months and numbers typed in forms
__all__ += [
    "add_months",
    "french_date",
    "french_decimal",
    "month_bounds",
    "month_label",
    "months_between",
    "optional_email",
    "optional_phone",
    "parse_decimal",
]

# exports
__all__ += [
    "ExportColumn",
    "export_table",
]

# indicators
__all__ += [
    "MASKED_UNIT",
    "SMALL_CELL",
    "masked_count",
]

# uploads
__all__ += [
    "StoredFile",
    "UploadField",
    "UploadRefused",
    "accepts_uploads",
    "delete_upload",
    "send_upload",
    "store_upload",
    "stored_file_column",
]

# public pages
__all__ += [
    "RateLimited",
    "client_address",
    "external_url",
    "public_page",
    "rate_limit",
]

# e-mail addresses of the collective's people
__all__ += [
    "emails_of",
    "person_email",
]

# commands
__all__ += [
    "associations_enabling",
]

# people a plugin adds (an outreach contact who becomes a person supported)
__all__ += [
    "add_person",
]

# referrals to partners
__all__ += [
    "BARRIER_LABELS",
    "PartnerServiceRef",
    "ReferralInfo",
    "ReferralRefused",
    "ReferralStatus",
    "create_referral",
    "partner_services",
    "referrals_by_id",
    "referrals_of_person",
]
