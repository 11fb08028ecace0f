//! Events: the month calendar and the agenda, one occurrence with RSVP, waitlist and check-in QR
//! code, the organiser's attendee list and check-in desk, and publishing a new event.

use crate::api::events::{self as api, CheckInView, OccurrenceDetail, OccurrenceView, RsvpView};
use crate::api::AppError;
use crate::i18n::{use_i18n, I18n, Locale};
use crate::ui::{shanghai_now, ErrorNote, Loaded, Loading};
use domain::date::{civil_from_days, days_from_civil};
use domain::rsvp::RsvpStatus;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

mod calendar;
mod form;
mod import;
mod occurrence;
mod scanner;
mod stats;
pub use calendar::*;
pub use form::*;
pub use occurrence::*;
pub use stats::*;

/// A short description of the common RRULE shapes ("every month on the 15th and 25th").
pub fn describe_rrule(i18n: &I18n, rule: &str) -> String {
    let parts: std::collections::HashMap<&str, &str> =
        rule.split(';').filter_map(|p| p.split_once('=')).collect();
    match (parts.get("FREQ").copied(), parts.get("BYMONTHDAY")) {
        (Some("MONTHLY"), Some(days)) => {
            let sep = if i18n.locale.get() == Locale::Zh {
                "、"
            } else {
                ", "
            };
            i18n.tf(
                "events.monthly_on",
                &[("days", days.split(',').collect::<Vec<_>>().join(sep))],
            )
        }
        (Some("MONTHLY"), None) => i18n.t("events.monthly"),
        (Some("WEEKLY"), _) => i18n.t("events.weekly"),
        (Some("DAILY"), _) => i18n.t("events.daily"),
        _ => rule.to_owned(),
    }
}

fn ymd(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn occurrence_href(o: &OccurrenceView) -> String {
    format!("/events/{}?at={}", o.event_id, o.recurrence_id)
}

fn today_days() -> i64 {
    let now = shanghai_now();
    let n = |r: std::ops::Range<usize>| now[r].parse::<i64>().unwrap_or(1);
    days_from_civil(n(0..4), n(5..7) as u32, n(8..10) as u32)
}
