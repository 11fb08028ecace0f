//! Participation statistics.

use super::*;
use crate::ui::BarChart;

/// `/events/stats`: participation statistics for organisers and administrators.
#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let today = today_days();
    let from = RwSignal::new(ymd(today - 90));
    let to = RwSignal::new(ymd(today + 30));
    let stats = LocalResource::new(move || {
        api::events_stats(
            format!("{}T00:00", from.get()),
            format!("{}T00:00", to.get()),
        )
    });
    view! {
        <section class="page">
            <p><A href="/events">{move || i18n.t("events.back")}</A></p>
            <h1>{move || i18n.t("stats.title")}</h1>
            <div class="toolbar">
                <label class="inline">{move || i18n.t("stats.from")}<input type="date" bind:value=from/></label>
                <label class="inline">{move || i18n.t("stats.to")}<input type="date" bind:value=to/></label>
            </div>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || stats.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(s) if s.occurrences.is_empty() => view! { <p>{move || i18n.t("stats.none")}</p> }.into_any(),
                    Ok(s) => {
                        let fills: Vec<(String, f64)> = s.occurrences.iter().rev().take(12).map(|o| (format!("{} {}", &o.starts_at[5..10], o.title.chars().take(10).collect::<String>()), o.fill_rate)).collect();
                        let hours: Vec<(String, f64)> = s.people.iter().take(10).map(|p| (p.person.clone(), p.hours)).collect();
                        let max_h = hours.iter().map(|h| h.1).fold(0.0, f64::max);
                        view! {
                            <h2>{move || i18n.t("stats.fill")}</h2>
                            <BarChart items=fills max=100.0 suffix="%" label=i18n.t("stats.fill")/>
                            <h2>{move || i18n.t("stats.hours")}</h2>
                            {if hours.is_empty() {
                                view! { <p class="muted">{move || i18n.t("stats.no_checkins")}</p> }.into_any()
                            } else {
                                view! { <BarChart items=hours max=max_h suffix="h" label=i18n.t("stats.hours")/> }.into_any()
                            }}
                            <h2>{move || i18n.t("stats.units")}</h2>
                            <div class="table-wrap"><table class="stats">
                                <thead><tr>
                                    <th scope="col">{move || i18n.t("events.organiser")}</th>
                                    <th scope="col">{move || i18n.t("stats.occurrences")}</th>
                                    <th scope="col">{move || i18n.t("stats.rsvps")}</th>
                                    <th scope="col">{move || i18n.t("stats.checkins")}</th>
                                    <th scope="col">{move || i18n.t("stats.unit_hours")}</th>
                                    <th scope="col">{move || i18n.t("stats.avg_fill")}</th>
                                </tr></thead>
                                <tbody>{s.units.into_iter().map(|u| view! {
                                    <tr><td>{u.unit_name}</td><td>{u.occurrences}</td><td>{u.rsvps}</td><td>{u.check_ins}</td><td>{u.hours}</td><td>{format!("{}%", u.average_fill_rate)}</td></tr>
                                }).collect_view()}</tbody>
                            </table></div>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
