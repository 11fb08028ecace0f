//! The staff overview (数据看板): each figure of the caller's scope with a link into its page.

use crate::api::overview::{staff_overview, OverviewView};
use crate::i18n::use_i18n;
use crate::ui::Loaded;
use leptos::prelude::*;

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

/// `/overview`.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(staff_overview);
    view! {
        <section class="page overview">
            <h1>{move || i18n.t("overview.title")}</h1>
            <Loaded resource=data ok=move |v| view! { <Figures v=v/> }/>
        </section>
    }
}

#[component]
fn Figures(v: OverviewView) -> impl IntoView {
    let i18n = use_i18n();
    let t = move |k: &'static str| move || i18n.t(k);
    // (heading key, link, [(label key, value)])
    let groups: Vec<(&'static str, &'static str, Vec<(&'static str, String)>)> = vec![
        (
            "overview.field",
            "/field?tab=list",
            vec![
                ("overview.open_reports", v.open_reports.to_string()),
                ("overview.overdue_reports", v.overdue_reports.to_string()),
            ],
        ),
        (
            "overview.rates",
            "/field?tab=rates",
            vec![
                (
                    "overview.reports_this_month",
                    v.reports_this_month.to_string(),
                ),
                ("field.response", pct(v.rates.response())),
                ("field.resolution", pct(v.rates.resolution())),
                ("field.satisfaction", pct(v.rates.satisfaction())),
            ],
        ),
        (
            "overview.grids",
            "/map",
            vec![
                ("overview.grid_count", v.grids.grids.to_string()),
                ("overview.households", v.grids.households.to_string()),
                ("overview.over", v.grids.over.to_string()),
                ("overview.under", v.grids.under.to_string()),
            ],
        ),
        (
            "overview.terms",
            "/orgs",
            vec![
                ("overview.terms_overdue", v.terms.overdue.to_string()),
                ("overview.terms_month", v.terms.within_month.to_string()),
                ("overview.terms_six", v.terms.within_six_months.to_string()),
            ],
        ),
        (
            "overview.events",
            "/events/stats",
            vec![
                ("overview.occurrences", v.occurrences.to_string()),
                ("overview.taken", v.taken.to_string()),
                ("overview.checked_in", v.checked_in.to_string()),
            ],
        ),
        (
            "overview.services",
            "/services?tab=desk",
            vec![
                ("overview.open_needs", v.open_needs.to_string()),
                ("overview.wishes_to_check", v.wishes_to_check.to_string()),
                ("overview.wishes_on_wall", v.wishes_on_wall.to_string()),
                ("overview.wishes_in_hand", v.wishes_in_hand.to_string()),
            ],
        ),
    ];
    view! {
        <p class="muted">{move || i18n.tf("overview.month", &[("month", v.month.clone()), ("target", v.target_households.to_string())])}</p>
        <div class="overview-groups">
            {groups.into_iter().map(|(head, href, items)| view! {
                <section class="card overview-group">
                    <h2><a href=href>{t(head)}</a></h2>
                    <dl class="rate-cards">
                        {items.into_iter().map(|(k, value)| view! {
                            <div><dt>{t(k)}</dt><dd>{value}</dd></div>
                        }).collect_view()}
                    </dl>
                </section>
            }).collect_view()}
        </div>
    }
}
