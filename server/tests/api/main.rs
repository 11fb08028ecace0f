//! The server as its users reach it: the real axum router in-process (crates.io style), one
//! module per area. Each test spawns its own app over a fresh database with the small demo
//! district — SQLite by default, PostgreSQL when `LINLI_HTTP_ENGINE=postgres` (scripts/test.sh
//! runs this binary on both).

mod common;

/// Every server function against every role: who is refused, who gets in.
mod access;
/// Accounts and sessions.
mod accounts;
/// Every server function against another community's objects.
mod cross_community;
mod empty_map;
/// Events placed on the map: grids and points inside the caller's area.
mod event_place;
/// Events: publishing, RSVP, waitlist, check-in, edits, attendee exports.
mod events;
/// The iCalendar feeds against an independent implementation.
mod feeds;
/// Field reports: reporting, passing up, whistling, closing, rating.
mod field;
/// Grid saves, imports, history and layers.
mod grids;
/// Health, static files, security headers, limits, a real socket.
mod http;
/// Calendar files in.
mod ics_import;
/// Organisation lists as other systems export them.
/// Open311 GeoReport v2.
mod open311;
mod org_exports;
/// The organisation tree: edits, imports, exports.
mod orgs;
/// Photos on micro-wishes: checked, stripped, served to who may see them.
mod photos;
/// Personal data: masking, access, erasure.
mod privacy;
/// Regression tests for the black-box probe's findings.
mod probe;
/// Service matching: lists, claims, wishes, hours.
mod services;
