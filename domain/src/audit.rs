//! The audit log's vocabulary: one spelling for every action (the server function's or route's own
//! name) and for outcomes. Entries written before the spelling was unified ("grids.save",
//! "orgs.edit", …) are still found: `AuditAction::spellings` lists them for the filter.

use serde::{Deserialize, Serialize};

macro_rules! actions {
    ($($variant:ident = $name:literal $(| $legacy:literal)*,)*) => {
        /// What was done (or refused). The string is the server function's endpoint or the
        /// route's name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum AuditAction {
            $($variant,)*
        }

        impl AuditAction {
            /// Every action, in the order the administrator's filter offers them.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)*
                }
            }

            /// The names this action was written under, current first.
            pub fn spellings(self) -> &'static [&'static str] {
                match self {
                    $(AuditAction::$variant => &[$name $(, $legacy)*],)*
                }
            }
        }
    };
}

actions! {
    Login = "login",
    Logout = "logout",
    Register = "register",
    ChangePassword = "change_password",
    SetMyPhone = "set_my_phone",
    DeleteMyAccount = "delete_my_account",
    ExportSelf = "export_self",
    AdminUsers = "admin_users",
    AdminCreateUser = "admin_create_user",
    AdminSetRole = "admin_set_role",
    AdminSetDisabled = "admin_set_disabled",
    AdminSetPartyMember = "admin_set_party_member",
    AdminSetRegistration = "admin_set_registration",
    AdminSetGridTarget = "admin_set_grid_target",
    AdminSetDistrict = "admin_set_district",
    AdminAudit = "admin_audit",
    GridsSave = "grids_save" | "grids.save",
    GridsImport = "grids_import" | "grids.import",
    GridHistory = "grid_history" | "grids.history",
    MapLayerUpload = "map_layer_upload",
    MapLayerDelete = "map_layer_delete",
    OrgsApply = "orgs_apply" | "orgs.edit",
    OrgsImport = "orgs_import" | "orgs.import",
    OrgsSetLevels = "orgs_set_levels",
    ExportOrgs = "export_orgs",
    EventCreate = "event_create",
    EventUpdate = "event_update",
    EventPlace = "event_place" | "event.place",
    EventCancelOccurrence = "event_cancel_occurrence",
    EventRsvp = "event_rsvp",
    EventCheckIn = "event_check_in",
    EventAttendees = "event_attendees",
    ExportAttendees = "export_attendees",
    RevealPhone = "reveal_phone",
    EventsFeedToken = "events_feed_token",
    EventsStats = "events_stats",
    EventsImportIcs = "events_import_ics" | "events.import",
    ServiceCreateListing = "service_create_listing",
    ServiceSetListingStatus = "service_set_listing_status",
    ServiceListingClaims = "service_listing_claims",
    ServiceClaim = "service_claim",
    ServiceDispatch = "service_dispatch",
    ServiceClaimAction = "service_claim_action",
    ServicePostWish = "service_post_wish",
    ServiceWishAction = "service_wish_action",
    ServiceDesk = "service_desk",
    ServiceWishReveal = "service_wish_reveal",
    ServiceStats = "service_stats",
    ExportHours = "export_hours",
    ServiceReportIn = "service_report_in",
    ServiceReportAction = "service_report_action",
    ServiceRoster = "service_roster",
    AdminSetServiceTarget = "admin_set_service_target",
    ServiceSetMilestones = "service_set_milestones",
    ServiceWishPhoto = "service_wish_photo",
    ServicePhotoDelete = "service_photo_delete",
    FieldReportIn = "field_report_in",
    FieldAct = "field_act",
    FieldReportDetail = "field_report_detail",
    AdminFieldCategory = "admin_field_category",
    AdminDepartment = "admin_department",
    FieldRates = "field_rates",
    FieldReporterContact = "field_reporter_contact",
    AdminFieldCalendar = "admin_field_calendar",
    StaffOverview = "staff_overview",
}

impl AuditAction {
    /// The action written as `s`, in any of its spellings.
    pub fn parse(s: &str) -> Option<AuditAction> {
        let s = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.spellings().contains(&s))
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditResult {
    Ok,
    Refused,
    /// An import checked without committing.
    Preview,
    /// A check-in of someone already checked in.
    Repeat,
}

impl AuditResult {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditResult::Ok => "ok",
            AuditResult::Refused => "refused",
            AuditResult::Preview => "preview",
            AuditResult::Repeat => "repeat",
        }
    }
}

/// What an action was done to, written `kind:identifier` (`user:zhang`, `event:5@2026-12-15T09:00`,
/// `grid:320113001,320113002`); `*` for the whole of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditObject<'a> {
    None,
    /// An account by name.
    User(&'a str),
    /// An account by id, where the name is not at hand.
    UserId(i64),
    /// The list of accounts.
    Users,
    /// A deployment setting.
    Setting(&'a str),
    AuditLog,
    /// One or more grids by code, comma-separated.
    Grids(&'a str),
    /// A grid by id, where the code is not at hand.
    GridId(i64),
    Layer(i64),
    Layers,
    /// An organisation unit by code (written `unit:`, as since the first release).
    OrgUnit(&'a str),
    /// The organisation units a file covers ("320113.csv", "all.xlsx").
    OrgUnitFile(&'a str),
    Event(i64),
    /// One occurrence of an event, by its series start.
    Occurrence(i64, &'a str),
    /// Participation statistics.
    Statistics,
    /// A need, resource or project of the service lists.
    Listing(i64),
    /// A claim on a need.
    Claim(i64),
    /// A micro-wish.
    Wish(i64),
    /// A 双报到 report.
    Report(i64),
    /// A photo attached to something.
    Photo(i64),
    /// A field report (事件).
    FieldReport(i64),
}

impl std::fmt::Display for AuditObject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditObject::None => Ok(()),
            AuditObject::User(name) => write!(f, "user:{name}"),
            AuditObject::UserId(id) => write!(f, "user:#{id}"),
            AuditObject::Users => f.write_str("user:*"),
            AuditObject::Setting(key) => write!(f, "setting:{key}"),
            AuditObject::AuditLog => f.write_str("audit_log:*"),
            AuditObject::Grids(codes) => write!(f, "grid:{codes}"),
            AuditObject::GridId(id) => write!(f, "grid:#{id}"),
            AuditObject::Layer(id) => write!(f, "layer:{id}"),
            AuditObject::Layers => f.write_str("layer:*"),
            AuditObject::OrgUnit(code) => write!(f, "unit:{code}"),
            AuditObject::OrgUnitFile(name) => write!(f, "unit_file:{name}"),
            AuditObject::Event(id) => write!(f, "event:{id}"),
            AuditObject::Occurrence(id, at) => write!(f, "event:{id}@{at}"),
            AuditObject::Statistics => f.write_str("statistics:*"),
            AuditObject::Listing(id) => write!(f, "listing:{id}"),
            AuditObject::Claim(id) => write!(f, "claim:{id}"),
            AuditObject::Wish(id) => write!(f, "wish:{id}"),
            AuditObject::Report(id) => write!(f, "report:{id}"),
            AuditObject::Photo(id) => write!(f, "photo:{id}"),
            AuditObject::FieldReport(id) => write!(f, "field_report:{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn one_spelling_each_and_old_entries_still_found() {
        let mut seen = HashSet::new();
        for a in AuditAction::ALL {
            assert!(
                a.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{a}: snake_case, like the endpoints"
            );
            for s in a.spellings() {
                assert!(seen.insert(*s), "{s} names two actions");
                assert_eq!(AuditAction::parse(s), Some(*a));
            }
            let json = serde_json::to_string(a).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", a.as_str()),
                "serde uses the same name"
            );
        }
        assert_eq!(
            AuditAction::parse("orgs.edit"),
            Some(AuditAction::OrgsApply)
        );
        assert_eq!(AuditAction::parse("nonsense"), None);
    }
}
