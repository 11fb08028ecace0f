//! The rates (统计): per grid, community, street or department for a month — response,
//! resolution (counting open overdue reports), satisfaction, mean time to close, overdue open,
//! whistle rate — ranked best first, with bars and the twelve months' trend.

use super::*;
use crate::api::field_rates::{field_rates, RateRow};
use domain::field::rates::Rates;

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

/// Rounded to one decimal, for the bars.
fn one(x: Option<f64>) -> f64 {
    (x.unwrap_or(0.0) * 10.0).round() / 10.0
}

#[component]
pub(super) fn RatesTab() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let initial = |k: &str, d: &str| {
        query
            .read_untracked()
            .get(k)
            .unwrap_or_else(|| d.to_owned())
    };
    let month = RwSignal::new(initial("month", ""));
    let by = RwSignal::new(initial("by", "community"));
    let data = LocalResource::new(move || field_rates(month.get(), by.get()));
    let department_only = move || {
        crate::use_auth()
            .user()
            .is_some_and(|u| u.role == domain::Role::Resident)
    };
    view! {
        <div class="toolbar filters">
            <label class="inline">{move || i18n.t("field.month")}
                <input type="month" prop:value=move || data.get().and_then(|r| r.ok()).map(|v| v.month).unwrap_or_default()
                    on:change=move |ev| month.set(event_target_value(&ev))/>
            </label>
            <Show when=move || !department_only()>
                <label class="inline">{move || i18n.t("field.by")}
                    <select bind:value=by>
                        {["grid", "community", "street", "department"].into_iter().map(|b| view! {
                            <option value=b>{move || i18n.t(&format!("field.by.{b}"))}</option>
                        }).collect_view()}
                    </select>
                </label>
            </Show>
        </div>
        <Loaded resource=data ok=move |v| {
            let total = v.total.clone();
            let bars: Vec<(String, f64)> = v.rows.iter().take(12).map(|r| (r.name.clone(), one(r.rates.resolution()))).collect();
            let trend: Vec<(String, f64)> = v.trend.iter().map(|(m, r)| (m.clone(), one(r.resolution()))).collect();
            let satisfaction: Vec<(String, f64)> = v.trend.iter().map(|(m, r)| (m.clone(), one(r.satisfaction()))).collect();
            let by_key = format!("field.by.{}", v.by);
            // A department's records are whistled reports only: its whistle rate says nothing.
            let whistles = v.by != "department";
            view! {
                <section class="rates-summary" aria-labelledby="rates-h">
                    <h2 id="rates-h">{move || i18n.tf("field.rates_of", &[("month", v.month.clone())])}</h2>
                    <Summary row=total whistles=whistles/>
                </section>
                {if v.rows.is_empty() {
                    view! { <p class="muted">{move || i18n.t("field.rates_none")}</p> }.into_any()
                } else {
                    view! {
                        <h2>{move || i18n.tf("field.ranking", &[("by", i18n.t(&by_key))])}</h2>
                        <div class="table-wrap">
                            <table class="rates">
                                <thead><tr>
                                    <th>{move || i18n.t("field.rank")}</th>
                                    <th>{move || i18n.t("field.name")}</th>
                                    <th>{move || i18n.t("field.reports")}</th>
                                    <th>{move || i18n.t("field.response")}</th>
                                    <th>{move || i18n.t("field.resolution")}</th>
                                    <th>{move || i18n.t("field.satisfaction")}</th>
                                    <th>{move || i18n.t("field.mean_close")}</th>
                                    <th>{move || i18n.t("field.open_overdue")}</th>
                                    {whistles.then(|| view! { <th>{move || i18n.t("field.whistle_rate")}</th> })}
                                </tr></thead>
                                <tbody>{v.rows.iter().enumerate().map(|(i, r)| row(i + 1, r, whistles)).collect_view()}</tbody>
                            </table>
                        </div>
                        <h2>{move || i18n.t("field.chart_resolution")}</h2>
                        <crate::ui::BarChart items=bars max=100.0 suffix="%" label=i18n.t("field.chart_resolution")/>
                    }.into_any()
                }}
                <h2>{move || i18n.t("field.chart_trend")}</h2>
                <crate::ui::BarChart items=trend max=100.0 suffix="%" label=i18n.t("field.chart_trend")/>
                <h2>{move || i18n.t("field.chart_satisfaction")}</h2>
                <crate::ui::BarChart items=satisfaction max=100.0 suffix="%" label=i18n.t("field.chart_satisfaction")/>
            }
        }/>
    }
}

/// The month's figures for everything the caller sees.
#[component]
fn Summary(row: RateRow, whistles: bool) -> impl IntoView {
    let i18n = use_i18n();
    let r: Rates = row.rates;
    let whistle = (row.reports > 0).then(|| row.whistled as f64 * 100.0 / row.reports as f64);
    let items = [
        ("field.reports", row.reports.to_string()),
        ("field.response", pct(r.response())),
        ("field.resolution", pct(r.resolution())),
        ("field.satisfaction", pct(r.satisfaction())),
        (
            "field.mean_close",
            r.mean_close_hours
                .map(|h| format!("{h:.1}"))
                .unwrap_or_else(|| "—".into()),
        ),
        ("field.open_overdue", r.open_overdue.to_string()),
        ("field.whistle_rate", pct(whistle)),
    ];
    let items = &items[..items.len() - usize::from(!whistles)];
    view! {
        <dl class="rate-cards">
            {items.iter().cloned().map(|(k, v)| view! {
                <div class="card"><dt>{move || i18n.t(k)}</dt><dd>{v}</dd></div>
            }).collect_view()}
        </dl>
    }
}

fn row(rank: usize, r: &RateRow, whistles: bool) -> impl IntoView {
    let x = &r.rates;
    let whistle = (r.reports > 0).then(|| r.whistled as f64 * 100.0 / r.reports as f64);
    view! {
        <tr>
            <td>{rank}</td>
            <td>{r.name.clone()}</td>
            <td>{r.reports}</td>
            <td>{pct(x.response())}</td>
            <td>{pct(x.resolution())}</td>
            <td>{pct(x.satisfaction())}</td>
            <td>{x.mean_close_hours.map(|h| format!("{h:.1}")).unwrap_or_else(|| "—".into())}</td>
            <td>{x.open_overdue}</td>
            {whistles.then(|| view! { <td>{pct(whistle)}</td> })}
        </tr>
    }
}
