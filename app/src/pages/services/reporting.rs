//! 双报到 in the pages: the reporting form and the reporter's own reports (with a resident unit's
//! members), and the organiser's decisions and roster.

use super::*;
use crate::api::reporting::{self as rapi, ReportOptions, ReportView, Roster};

/// "My service": report to the community, see where one stands, and — for a resident unit's
/// contact — the unit's members and their hours.
#[component]
pub(super) fn ReportIn() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let options = LocalResource::new(move || {
        version.track();
        rapi::service_report_options()
    });
    view! {
        <section class="card report-in" aria-labelledby="report-h">
            <h2 id="report-h">{move || i18n.t("service.report_title")}</h2>
            <Loaded resource=options ok=move |o| view! { <ReportBody options=o version=version/> }/>
        </section>
    }
}

#[component]
fn ReportBody(options: ReportOptions, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let o = options;
    let standing: Vec<ReportView> = o
        .mine
        .iter()
        .filter(|r| r.state == "pending" || r.state == "accepted")
        .cloned()
        .collect();
    let can_report = standing.is_empty();
    let members = o.my_unit_members.clone();
    let is_unit = o
        .mine
        .iter()
        .any(|r| r.kind == "unit" && r.state == "accepted");
    view! {
        <p class="muted">{move || i18n.tf("service.report_intro", &[("community", o.community_name.clone())])}</p>
        <ul class="reports">
            {o.mine.into_iter().take(3).map(|r| view! { <li><MyReport report=r version=version/></li> }).collect_view()}
        </ul>
        {can_report.then(|| view! { <ReportForm party_member=o.party_member grids=o.grids.clone() units=o.units.clone() version=version/> })}
        {is_unit.then(|| view! {
            <h3>{move || i18n.t("service.unit_members")}</h3>
            {if members.is_empty() {
                view! { <p class="muted">{move || i18n.t("service.no_unit_members")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table>
                        <thead><tr><th scope="col">{move || i18n.t("service.member")}</th><th scope="col">{move || i18n.t("service.hours")}</th></tr></thead>
                        <tbody>{members.into_iter().map(|(n, m)| view! { <tr><td>{n}</td><td class="num">{hours(m)}</td></tr> }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            }}
        })}
    }
}

#[component]
fn MyReport(report: ReportView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let r = report;
    let error = RwSignal::new(None::<AppError>);
    let (id, v) = (r.id, r.version);
    let standing = r.state == "pending" || r.state == "accepted";
    let withdraw = move |_| {
        run(
            rapi::service_report_action(id, v, "withdraw".into(), String::new()),
            version,
            error,
        )
    };
    let kind = r.kind.clone();
    let who = if r.kind == "unit" {
        r.unit_name.clone()
    } else {
        r.org_name.clone()
    };
    view! {
        <div class="report">
            <span class="tag">{move || i18n.t(&format!("service.report_kind.{kind}"))}</span>
            " " {who} " "
            <StateTag state=r.state.clone()/>
            {(!r.reason.is_empty()).then(|| view! { " " <span class="muted">{r.reason.clone()}</span> })}
            {standing.then(|| view! { " " <button type="button" class="link" on:click=withdraw>{move || i18n.t("service.withdraw")}</button> })}
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </div>
    }
}

#[component]
fn ReportForm(
    party_member: bool,
    grids: Vec<(String, String)>,
    units: Vec<(i64, String)>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new(if party_member { "member" } else { "unit" }.to_owned());
    let member_of = RwSignal::new(String::new());
    let org_name = RwSignal::new(String::new());
    let unit_name = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let offers = RwSignal::new(String::new());
    let grid = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let call = rapi::service_report_in(
            kind.get_untracked(),
            org_name.get_untracked(),
            unit_name.get_untracked(),
            contact.get_untracked(),
            phone.get_untracked(),
            offers.get_untracked(),
            grid.get_untracked(),
            member_of.get_untracked().parse().ok(),
        );
        run(call, version, error);
    };
    let is_member = move || kind.get() == "member";
    let free_org = move || member_of.get().is_empty();
    view! {
        <form class="stack" on:submit=submit>
            <fieldset class="choice">
                <legend>{move || i18n.t("service.report_as")}</legend>
                {party_member.then(|| view! {
                    <label class="inline"><input type="radio" name="report-kind" value="member"
                        prop:checked=move || kind.get() == "member" on:change=move |_| kind.set("member".into())/>
                        {move || i18n.t("service.report_kind.member")}</label>
                })}
                <label class="inline"><input type="radio" name="report-kind" value="unit"
                    prop:checked=move || kind.get() == "unit" on:change=move |_| kind.set("unit".into())/>
                    {move || i18n.t("service.report_kind.unit")}</label>
            </fieldset>
            <Show when=is_member>
                <label>{move || i18n.t("service.workplace")}
                    <select bind:value=member_of>
                        <option value="">{move || i18n.t("service.workplace_other")}</option>
                        {units.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=move || !is_member()>
                <label>{move || i18n.t("service.unit_name")}<input type="text" maxlength="60" bind:value=unit_name/></label>
            </Show>
            <Show when=move || !is_member() || free_org()>
                <label>{move || i18n.t("service.org_name")}<input type="text" maxlength="60" bind:value=org_name/></label>
            </Show>
            <Show when=move || !is_member()>
                <div class="form-row">
                    <label>{move || i18n.t("service.contact")}<input type="text" maxlength="60" autocomplete="name" bind:value=contact/></label>
                    <label>{move || i18n.t("service.phone")}<input type="tel" maxlength="20" autocomplete="tel" bind:value=phone/></label>
                </div>
            </Show>
            <label>{move || i18n.t("service.grid")}
                <select bind:value=grid>
                    <option value="">"—"</option>
                    {grids.iter().map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || i18n.t(if is_member() { "service.skills" } else { "service.offers" })}
                <textarea rows="2" maxlength="500" bind:value=offers></textarea>
            </label>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <button type="submit" class="primary">{move || i18n.t("service.report_submit")}</button>
        </form>
    }
}

/// The organiser's desk: reports to decide and the roster by grid.
#[component]
pub(super) fn RosterDesk() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let roster = LocalResource::new(move || {
        version.track();
        rapi::service_roster()
    });
    view! {
        <Loaded resource=roster ok=move |r: Roster| {
            let n = r.pending.len();
            let m = r.accepted.len();
            view! {
                <h2>{move || i18n.tf("service.reports_pending", &[("n", n.to_string())])}</h2>
                {(n == 0).then(|| view! { <p class="muted">{move || i18n.t("service.nothing_waiting")}</p> })}
                <ul class="service-cards">{r.pending.into_iter().map(|p| view! { <li><DecideReport report=p version=version/></li> }).collect_view()}</ul>
                <h2>{move || i18n.tf("service.roster", &[("n", m.to_string())])}</h2>
                <div class="table-wrap"><table class="roster">
                    <thead><tr>
                        <th scope="col">{move || i18n.t("service.grid")}</th>
                        <th scope="col">{move || i18n.t("service.kind")}</th>
                        <th scope="col">{move || i18n.t("service.name")}</th>
                        <th scope="col">{move || i18n.t("service.org_name")}</th>
                        <th scope="col">{move || i18n.t("service.offers")}</th>
                    </tr></thead>
                    <tbody>{r.accepted.into_iter().map(|a| {
                        let kind = a.kind.clone();
                        let name = if a.kind == "unit" { format!("{}（{} {}）", a.unit_name, a.contact, a.phone) } else { a.person.clone() };
                        view! { <tr>
                            <td>{a.grid_name.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{move || i18n.t(&format!("service.report_kind.{kind}"))}</td>
                            <td>{name}</td><td>{a.org_name.clone()}</td><td>{a.offers.clone()}</td>
                        </tr> }
                    }).collect_view()}</tbody>
                </table></div>
            }
        }/>
    }
}

#[component]
fn DecideReport(report: ReportView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let r = report;
    let (id, v) = (r.id, r.version);
    let error = RwSignal::new(None::<AppError>);
    let reason = RwSignal::new(String::new());
    let act = move |a: &'static str| {
        run(
            rapi::service_report_action(id, v, a.into(), reason.get_untracked()),
            version,
            error,
        )
    };
    let kind = r.kind.clone();
    let title = if r.kind == "unit" {
        r.unit_name.clone()
    } else {
        r.person.clone()
    };
    view! {
        <article class="card report">
            <header class="listing-head"><h3>{title}</h3>
                <span class="tag">{move || i18n.t(&format!("service.report_kind.{kind}"))}</span></header>
            <dl class="facts">
                <dt>{move || i18n.t("service.org_name")}</dt><dd>{r.org_name.clone()}</dd>
                {(r.kind == "unit").then(|| view! {
                    <dt>{move || i18n.t("service.contact")}</dt><dd>{format!("{} {}", r.contact, r.phone)}</dd>
                })}
                {r.grid_name.clone().map(|g| view! { <dt>{move || i18n.t("service.grid")}</dt><dd>{g}</dd> })}
                {(!r.offers.is_empty()).then(|| view! { <dt>{move || i18n.t("service.offers")}</dt><dd>{r.offers.clone()}</dd> })}
            </dl>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| act("accept")>{move || i18n.t("service.accept_report")}</button>
                <label class="inline">{move || i18n.t("service.reason")}<input type="text" maxlength="200" bind:value=reason/></label>
                <button type="button" on:click=move |_| act("decline")>{move || i18n.t("service.decline")}</button>
            </div>
        </article>
    }
}
