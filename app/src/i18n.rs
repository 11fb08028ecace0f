//! Translations. Every user-visible string is a key in `locales/zh.json` and `locales/en.json`
//! (Simplified Chinese is the default). `I18n::t` reads the current locale reactively; the choice
//! is remembered in the browser's localStorage and mirrored on `<html lang>`.

use leptos::prelude::*;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    Zh,
    En,
}

impl Locale {
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_tag(s: &str) -> Option<Locale> {
        match s {
            "zh-CN" | "zh" => Some(Locale::Zh),
            "en" => Some(Locale::En),
            _ => None,
        }
    }
}

pub static ZH_JSON: &str = include_str!("../locales/zh.json");
pub static EN_JSON: &str = include_str!("../locales/en.json");

fn catalogue(locale: Locale) -> &'static HashMap<String, String> {
    static ZH: OnceLock<HashMap<String, String>> = OnceLock::new();
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    let (cell, src) = match locale {
        Locale::Zh => (&ZH, ZH_JSON),
        Locale::En => (&EN, EN_JSON),
    };
    cell.get_or_init(|| {
        serde_json::from_str(src).expect("locale catalogues are valid JSON (checked by tests)")
    })
}

/// The message for `key` in `locale`; the key itself if missing (tests keep that from happening).
pub fn translate(locale: Locale, key: &str) -> String {
    catalogue(locale)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

/// Handle to the current locale; `Copy`, so closures in views can hold it.
#[derive(Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
}

impl I18n {
    pub fn t(&self, key: &str) -> String {
        translate(self.locale.get(), key)
    }

    /// `t` with `{name}` placeholders filled in.
    pub fn tf(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut s = self.t(key);
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    pub fn set(&self, l: Locale) {
        self.locale.set(l);
        #[cfg(feature = "csr")]
        {
            if let Some(w) = web_sys::window() {
                if let Ok(Some(s)) = w.local_storage() {
                    let _ = s.set_item("linli.locale", l.tag());
                }
                if let Some(el) = w.document().and_then(|d| d.document_element()) {
                    let _ = el.set_attribute("lang", l.tag());
                }
            }
        }
    }
}

/// The locale remembered by this browser, else Chinese.
pub fn initial_locale() -> Locale {
    #[cfg(feature = "csr")]
    {
        if let Some(l) = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item("linli.locale").ok().flatten())
            .and_then(|t| Locale::from_tag(&t))
        {
            return l;
        }
    }
    Locale::Zh
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        serde_json::from_str::<HashMap<String, String>>(src)
            .unwrap()
            .into_keys()
            .collect()
    }

    #[test]
    fn catalogues_have_the_same_keys() {
        let zh = keys(ZH_JSON);
        let en = keys(EN_JSON);
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only in zh: {only_zh:?}; only in en: {only_en:?}"
        );
    }

    /// Every key the code names (`t("…")`, `tf("…"`, `"err.…"`) exists in the catalogues.
    #[test]
    fn every_key_used_in_the_code_exists() {
        let zh = keys(ZH_JSON);
        let mut missing = Vec::new();
        // The app's own code, and the rules and storage whose refusals carry `err.*` keys.
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![
            root.join("src"),
            root.join("../domain/src"),
            root.join("../store/src"),
        ];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if p.ends_with("i18n.rs") {
                continue;
            }
            let src = std::fs::read_to_string(&p).unwrap();
            for pat in ["t(\"", "tf(\"", "\"err.", "key: \""] {
                for (i, _) in src.match_indices(pat) {
                    let start = i + pat.len() - if pat.starts_with("\"err") { 4 } else { 0 };
                    let rest = &src[start..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    if key.contains('.') && !key.contains(' ') && !zh.contains(key) {
                        missing.push(format!("{}: {key}", p.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogues: {missing:#?}"
        );
    }

    /// Keys built at run time from data: every value the data can take has a message.
    #[test]
    fn keys_built_from_data_exist() {
        let zh = keys(ZH_JSON);
        let mut wanted: Vec<String> = domain::Role::ALL
            .iter()
            .map(|r| format!("role.{}", r.as_str()))
            .collect();
        wanted.extend((1..=3).map(|l| format!("grid.level{l}")));
        wanted.extend(["five", "four", "district"].map(|k| format!("orgs.level_set_{k}")));
        wanted.extend(["basic", "dedicated"].map(|k| format!("grid.kind.{k}")));
        wanted.extend(
            [
                "service-day",
                "lecture",
                "meeting",
                "volunteer",
                "clinic",
                "other",
            ]
            .map(|c| format!("events.cat.{c}")),
        );
        {
            use domain::geometry::{EditError, Invalid};
            let invalid = [
                Invalid::NotClosed,
                Invalid::TooFewPoints,
                Invalid::TooManyPoints,
                Invalid::NotFinite,
                Invalid::OutOfRange,
                Invalid::SelfIntersection,
                Invalid::ZeroArea,
                Invalid::HoleOutside,
                Invalid::PartsOverlap,
            ];
            wanted.extend(invalid.map(|i| i.key().to_owned()));
            wanted
                .extend([EditError::NotAdjacent, EditError::SplitEnds].map(|e| e.key().to_owned()));
            use domain::grid_import::ReadError;
            wanted.extend(
                [
                    ReadError::TooLarge,
                    ReadError::NotJson,
                    ReadError::NotCollection,
                    ReadError::TooMany,
                    ReadError::Empty,
                    ReadError::TooManyVertices,
                ]
                .map(|e| e.key().to_owned()),
            );
            wanted.extend(
                [
                    "no_geometry",
                    "not_polygon",
                    "bad_coordinates",
                    "duplicate_code",
                    "overlap",
                    "spill",
                    "bowtie",
                    "propose_parts",
                    "propose_cut",
                    "repaired",
                    "cut",
                    "gap_filled",
                    "snapped",
                    "dropped_zero_area",
                    "parts_joined",
                ]
                .map(|k| format!("import.{k}")),
            );
            wanted.extend(["reading", "checking", "uploading"].map(|k| format!("import.{k}")));
            wanted.extend(
                ["create", "update", "delete", "restore", "import"]
                    .map(|a| format!("map.action.{a}")),
            );
        }
        {
            use domain::service::claims::ClaimState;
            use domain::service::listing::DraftError;
            use domain::service::wish::WishState;
            use domain::service::ServiceError as E;
            wanted.extend(
                domain::service::CATEGORIES
                    .iter()
                    .map(|c| format!("service.cat.{c}")),
            );
            wanted.extend(ClaimState::ALL.map(|s| format!("service.state.{}", s.as_str())));
            wanted.extend(WishState::ALL.map(|s| format!("service.state.{}", s.as_str())));
            wanted.extend(["open", "closed", "draft"].map(|s| format!("service.state.{s}")));
            wanted.extend(
                domain::service::listing::ListingKind::ALL
                    .map(|k| format!("service.kind.{}", k.as_str())),
            );
            wanted.extend(["people", "hours"].map(|m| format!("service.measure.{m}")));
            wanted.extend(["check-in", "claim", "wish"].map(|s| format!("service.source.{s}")));
            wanted.extend(
                ["lists", "wishes", "mine", "desk", "stats"].map(|t| format!("service.tab.{t}")),
            );
            for e in [
                E::Closed,
                E::PastDeadline,
                E::OverFilled { left: 0 },
                E::Amount,
                E::State,
                E::NotYours,
                E::Reason,
                E::PersonalData,
                E::Text,
                E::Minutes,
                E::MembersOnly,
            ] {
                wanted.push(e.key().to_owned());
            }
            {
                use domain::service::report::{ReportError as R, ReportState};
                wanted.extend(ReportState::ALL.map(|s| format!("service.state.{}", s.as_str())));
                wanted.extend(["member", "unit"].map(|k| format!("service.report_kind.{k}")));
                for e in [
                    R::Kind,
                    R::NotMember,
                    R::OrgName,
                    R::UnitName,
                    R::Contact,
                    R::Phone,
                    R::Offers,
                ] {
                    wanted.push(e.key().to_owned());
                }
            }
            for e in [
                DraftError::Kind,
                DraftError::Title,
                DraftError::Description,
                DraftError::Category,
                DraftError::Amount,
                DraftError::Measure,
                DraftError::Deadline,
            ] {
                wanted.push(e.key().to_owned());
            }
        }
        {
            use domain::ics_import::IcsFileError;
            for e in [
                IcsFileError::TooLarge,
                IcsFileError::TooDeep,
                IcsFileError::TooManyEvents,
                IcsFileError::NoEvents,
                IcsFileError::Malformed(String::new()),
                IcsFileError::NeverRules,
            ] {
                wanted.push(e.key().to_owned());
            }
            wanted.extend(
                [
                    "override",
                    "cancelled",
                    "no_start",
                    "bad_time",
                    "time_zone",
                    "zone_shift",
                    "bad_duration",
                    "duplicate",
                    "nothing",
                    "unreadable",
                ]
                .map(|k| format!("ics.{k}")),
            );
        }
        {
            use domain::org::{OrgError, TermStatus, ROLES};
            wanted.extend(ROLES.iter().map(|r| format!("orgs.role.{r}")));
            wanted.extend(
                crate::pages::orgs::LOG_FIELDS
                    .iter()
                    .map(|f| format!("orgs.field.{f}")),
            );
            wanted.extend(
                [
                    "create",
                    "rename",
                    "move",
                    "dissolve",
                    "reinstate",
                    "details",
                    "import",
                ]
                .map(|a| format!("orgs.action.{a}")),
            );
            wanted.extend(
                [
                    TermStatus::Overdue,
                    TermStatus::EndsWithinMonth,
                    TermStatus::EndsWithinSixMonths,
                    TermStatus::Current,
                    TermStatus::Unknown,
                ]
                .map(|s| s.key().to_owned()),
            );
            let u = || String::new();
            wanted.extend(
                [
                    OrgError::Name,
                    OrgError::Person,
                    OrgError::Reason,
                    OrgError::DocNo,
                    OrgError::Date,
                    OrgError::TermYears,
                    OrgError::Role,
                    OrgError::LevelNotAllowed {
                        child: u(),
                        parent: u(),
                    },
                    OrgError::Cycle { unit: u() },
                    OrgError::OutOfScope { unit: u() },
                    OrgError::HasChildren { unit: u() },
                    OrgError::UnknownUnit,
                    OrgError::SameParent { unit: u() },
                ]
                .map(|e| e.key().to_owned()),
            );
            // Problems the server's CSV reader reports (domain::org::import, server-only feature).
            wanted.extend(
                [
                    "code",
                    "code_full",
                    "cycle",
                    "date",
                    "duplicate",
                    "empty",
                    "grid",
                    "header",
                    "level",
                    "level_changed",
                    "malformed",
                    "name",
                    "parent_changed",
                    "scope",
                    "secretary",
                    "too_many",
                    "unknown_level",
                    "unknown_parent",
                    "dissolved",
                    "json",
                    "json_item",
                    "json_too_large",
                    "xls",
                    "id",
                    "phone",
                    "members",
                ]
                .map(|k| format!("org_import.{k}")),
            );
            wanted.extend(
                domain::org::import::Field::ALL.map(|f| format!("org_import.field_{}", f.key())),
            );
        }
        {
            use domain::field::FieldError as F;
            wanted.extend(
                [
                    F::NotYours,
                    F::State,
                    F::Reason,
                    F::OwnWork,
                    F::Departments,
                    F::Rated,
                    F::ReopenedOnce,
                ]
                .map(|e| e.key().to_owned()),
            );
            // What the field API refuses in its own words.
            wanted.extend(
                [
                    "key",
                    "key_taken",
                    "conflict",
                    "description",
                    "time",
                    "place",
                    "category",
                    "action",
                    "limits",
                    "category_name",
                    "department_name",
                    "username",
                ]
                .map(|k| format!("field.err.{k}")),
            );
            // The pages build these from the report's words.
            use domain::field::{FieldState as S, Level as L};
            wanted.extend(
                [
                    S::Waiting,
                    S::Handling,
                    S::Whistled,
                    S::SentBack,
                    S::Resolved,
                    S::Closed,
                ]
                .map(|s| format!("field.state.{}", s.as_str())),
            );
            wanted.extend(
                [L::Grid, L::Community, L::Street, L::Department]
                    .map(|l| format!("field.level.{}", l.as_str())),
            );
            let actions = [
                "report",
                "fixed-on-spot",
                "auto-pass-up",
                "acknowledge",
                "pass-up",
                "whistle",
                "send-back",
                "resolve",
                "reject",
                "close",
                "rate",
                "reopen",
            ];
            wanted.extend(actions.map(|a| format!("field.action.{a}")));
            wanted.extend(
                actions[3..]
                    .iter()
                    .filter(|a| !matches!(**a, "rate"))
                    .map(|a| format!("field.do.{a}")),
            );
            wanted.extend(
                ["satisfied", "basically", "dissatisfied"].map(|s| format!("field.rate.{s}")),
            );
            wanted.extend(
                ["waiting", "sending", "failed", "sent"].map(|s| format!("field.outbox.{s}")),
            );
            wanted
                .extend(domain::field::rates::By::ALL.map(|b| format!("field.by.{}", b.as_str())));
            wanted.extend(["new", "list", "rates"].map(|t| format!("field.tab.{t}")));
        }
        let d = domain::demo::generate(domain::demo::Scale::Small, 20_779);
        wanted.extend(
            d.events
                .iter()
                .map(|e| format!("events.cat.{}", e.category)),
        );
        let missing: Vec<_> = wanted.iter().filter(|k| !zh.contains(*k)).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn chinese_is_the_default() {
        assert_eq!(translate(Locale::Zh, "nav.map"), "地图");
        assert_eq!(translate(Locale::En, "nav.map"), "Map");
    }
}
