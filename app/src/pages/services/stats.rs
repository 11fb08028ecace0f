//! Statistics of the organiser's scope: wish fulfilment, claims, hours by month and by unit, and
//! the members below the yearly target.

use super::*;
use crate::ui::BarChart;

#[component]
pub(super) fn Stats() -> impl IntoView {
    let i18n = use_i18n();
    let year = RwSignal::new(this_year().to_string());
    let stats = LocalResource::new(move || api::service_stats(year.get().parse().unwrap_or(0)));
    let unit = crate::use_auth()
        .user()
        .and_then(|u| u.scope)
        .unwrap_or_default();
    view! {
        <div class="toolbar">
            <label class="inline">{move || i18n.t("service.year")}
                <select bind:value=year>
                    {(0..3).map(|k| { let y = (this_year() - k).to_string(); view! { <option value=y.clone()>{y.clone()}</option> } }).collect_view()}
                </select>
            </label>
            <a href=move || format!("/export/hours.xlsx?unit={unit}&year={}", year.get()) download>{move || i18n.t("service.export_unit_hours")}</a>
        </div>
        <Loaded resource=stats ok=move |s| {
            let rate = if s.wishes_published > 0 { s.wishes_done * 100 / s.wishes_published } else { 0 };
            let months: Vec<(String, f64)> = s.minutes_by_month.iter().enumerate()
                .map(|(m, v)| (i18n.tf("service.month", &[("m", (m + 1).to_string())]), (*v as f64 / 6.0).round() / 10.0))
                .collect();
            let max_m = months.iter().map(|m| m.1).fold(0.0, f64::max);
            let units: Vec<(String, f64)> = s.minutes_by_unit.iter().take(10)
                .map(|(u, v)| (u.chars().take(14).collect(), (*v as f64 / 6.0).round() / 10.0))
                .collect();
            let max_u = units.iter().map(|u| u.1).fold(0.0, f64::max);
            let below = s.below_target.clone();
            let completion = s.units.clone();
            let unit_percent = s.unit_percent;
            let units_below = completion.iter().filter(|u| u.below(unit_percent)).count();
            let n_below = below.len();
            view! {
                <div class="kpis">
                    <div class="card kpi"><span class="big">{format!("{rate}%")}</span>
                        <span>{move || i18n.tf("service.fulfilment", &[("done", s.wishes_done.to_string()), ("published", s.wishes_published.to_string())])}</span></div>
                    <div class="card kpi"><span class="big">{hours(s.minutes_by_month.iter().sum())}</span>
                        <span>{move || i18n.t("service.hours_total")}</span></div>
                    <div class="card kpi"><span class="big">{format!("{}/{}", s.members - n_below, s.members)}</span>
                        <span>{move || i18n.tf("service.members_at_target", &[("target", hours(s.target_minutes))])}</span></div>
                </div>
                <h2>{move || i18n.t("service.claims_by_state")}</h2>
                <p>{s.claims.iter().map(|(st, n)| {
                    let st = st.clone();
                    let n = *n;
                    view! { <span class="claim-count"><StateTag state=st/> " " {n} </span> }
                }).collect_view()}</p>
                <h2>{move || i18n.t("service.hours_by_month")}</h2>
                <BarChart items=months max=max_m suffix="h" label=i18n.t("service.hours_by_month")/>
                <h2>{move || i18n.t("service.hours_by_unit")}</h2>
                <BarChart items=units max=max_u suffix="h" label=i18n.t("service.hours_by_unit")/>
                <h2>{move || i18n.tf("service.unit_completion", &[("percent", unit_percent.to_string()), ("n", units_below.to_string())])}</h2>
                <div class="table-wrap"><table class="unit-completion">
                    <thead><tr>
                        <th scope="col">{move || i18n.t("service.unit_org")}</th>
                        <th scope="col">{move || i18n.t("service.unit_reported")}</th>
                        <th scope="col">{move || i18n.t("service.unit_reached")}</th>
                        <th scope="col">{move || i18n.t("service.unit_rate")}</th>
                    </tr></thead>
                    <tbody>{completion.into_iter().map(|u| {
                        let below = u.below(unit_percent);
                        view! { <tr class:below=below>
                            <td>{u.unit.clone()}</td><td class="num">{u.members}</td><td class="num">{u.reached}</td>
                            <td class="num">{format!("{}%", u.percent())}{below.then(|| view! { " " <span class="tag off">{move || i18n.t("service.below")}</span> })}</td>
                        </tr> }
                    }).collect_view()}</tbody>
                </table></div>
                <h2>{move || i18n.tf("service.below_target", &[("n", n_below.to_string())])}</h2>
                <div class="table-wrap"><table>
                    <thead><tr><th scope="col">{move || i18n.t("service.member")}</th><th scope="col">{move || i18n.t("service.hours")}</th></tr></thead>
                    <tbody>{below.into_iter().map(|(name, m)| view! { <tr><td>{name}</td><td class="num">{hours(m)}</td></tr> }).collect_view()}</tbody>
                </table></div>
            }
        }/>
    }
}
