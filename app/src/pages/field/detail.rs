//! A report's page (`/field/:id`): what, where, when, its photo, the departments whistled, each
//! level's clock (late ones flagged), its history (who, when, what, why), and the actions the
//! caller may take now.

use super::*;
use crate::api::field::{DepartmentView, FieldStepView};
use crate::outbox::{Job, Outbox, Pending, Sending, Sent};

#[component]
pub fn FieldReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = leptos_router::hooks::use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let version = RwSignal::new(0u32);
    let report = LocalResource::new(move || {
        version.track();
        api::field_report_detail(id())
    });
    // What this phone keeps or sent stays in view while the report is read again around it.
    let outbox = Outbox::get();
    let kept = move || outbox.items.with(|i| !i.is_empty()) || outbox.sent.with(|s| !s.is_empty());
    // An action on this report kept in the outbox and sent, or refused, later: the page shows
    // the report as it is then (other items' news does not read it again).
    Effect::new(move |seen: Option<usize>| {
        let this = id();
        let n = outbox
            .sent
            .with(|s| s.iter().filter(|x| **x == Sent::Act(this)).count())
            + outbox.items.with(|i| {
                i.iter()
                    .filter(|p| {
                        p.state == Sending::Failed
                            && matches!(p.job, Job::Act { report, .. } if report == this)
                    })
                    .count()
            });
        if seen.is_some_and(|m| m != n) {
            version.update(|x| *x += 1);
        }
        n
    });
    view! {
        <section class="page field">
            <p><a href="/field?tab=list">{move || i18n.t("field.back")}</a></p>
            <Loaded resource=report ok=move |r| view! { <Report report=r version=version/> }/>
            <Show when=kept>
                <super::OutboxList/>
            </Show>
        </section>
    }
}

#[component]
fn Report(report: FieldReportView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let r = report;
    let now = now_secs();
    view! {
        <h1>{move || i18n.tf("field.report_no", &[("id", r.id.to_string())])} " " {r.category.clone()}</h1>
        <p class="field-card-head"><StateTag state=r.state.clone()/> <span class="tag">{level(i18n, &r.level)}</span>
            {r.satisfaction.clone().map(|s| view! { <span class="tag on">{move || i18n.t(&format!("field.rate.{s}"))}</span> })}
            {r.reopened.then(|| view! { <span class="tag warn">{move || i18n.t("field.reopened")}</span> })}
        </p>
        <p class="description">{r.description.clone()}</p>
        <dl class="facts">
            <dt>{move || i18n.t("field.made_at")}</dt><dd>{when(r.made_at)}</dd>
            <dt>{move || i18n.t("field.received_at")}</dt><dd>{when(r.received_at)}</dd>
            <dt>{move || i18n.t("field.grid")}</dt>
            <dd>{match r.grid_code.clone() {
                Some(g) => view! { <a href=format!("/map?grid={g}")>{g.clone()}</a> }.into_any(),
                None => view! { <span>{move || i18n.t("field.no_grid")}</span> }.into_any(),
            }}</dd>
            <dt>{move || i18n.t("field.place")}</dt><dd>{format!("{:.5}, {:.5}", r.lon, r.lat)}</dd>
            {(!r.departments.is_empty()).then(|| view! {
                <dt>{move || i18n.t("field.departments")}</dt>
                <dd>{r.departments.iter().enumerate().map(|(i, (name, ack))| {
                    let role = if i == 0 { "field.lead" } else { "field.co" };
                    let ack = *ack;
                    view! { <span class=if ack { "tag on" } else { "tag" }>{format!("{name}（{}·{}）", i18n.t(role), i18n.t(if ack { "field.reported" } else { "field.not_reported" }))}</span> " " }
                }).collect_view()}</dd>
            })}
        </dl>
        <crate::photo::PhotoStrip photos=r.photos.clone()/>
        {(!r.mine).then(|| view! { <Contact id=r.id/> })}
        <Actions report=r.clone() version=version/>
        <h2>{move || i18n.t("field.steps")}</h2>
        <div class="table-wrap">
            <table class="field-steps">
                <thead><tr>
                    <th>{move || i18n.t("field.level")}</th>
                    <th>{move || i18n.t("field.started")}</th>
                    <th>{move || i18n.t("field.acknowledge_by")}</th>
                    <th>{move || i18n.t("field.resolve_by")}</th>
                </tr></thead>
                <tbody>{r.steps.iter().enumerate().map(|(i, s)| step_row(i18n, s, now, i + 1 == r.steps.len())).collect_view()}</tbody>
            </table>
        </div>
        <h2>{move || i18n.t("field.history")}</h2>
        <ol class="field-history">
            {r.events.iter().map(|e| {
                let action = e.action.clone();
                let by = e.by.clone().unwrap_or_else(|| i18n.t("field.by_clock"));
                // A rating is stored as its word: shown in the reader's language.
                let detail = if action == "rate" {
                    i18n.t(&format!("field.rate.{}", e.detail))
                } else {
                    e.detail.clone()
                };
                view! {
                    <li>
                        <span class="muted">{when(e.at)}</span> " "
                        <strong>{move || i18n.t(&format!("field.action.{action}"))}</strong> " "
                        {by} " → " {level(i18n, &e.level)}
                        {(!detail.is_empty()).then(|| view! { <q>{detail}</q> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// A level's stay: its deadlines, each marked done in time, done late, open or overdue; a level
/// that passed the report on (not the `current` one) solved nothing itself.
fn step_row(i18n: I18n, s: &FieldStepView, now: i64, current: bool) -> impl IntoView {
    let mark = |by: i64, done: Option<i64>| {
        let (class, key) = match done {
            Some(t) if t <= by => ("tag on", "field.in_time"),
            Some(_) => ("tag warn", "field.late"),
            None if !current => ("tag", "field.passed_on"),
            None if now > by => ("tag warn", "field.overdue"),
            None => ("tag", "field.open"),
        };
        view! { {when(by)} " " <span class=class>{i18n.t(key)}</span> }
    };
    view! {
        <tr>
            <td>{level(i18n, &s.level)}</td>
            <td>{when(s.started_at)}</td>
            <td>{mark(s.acknowledge_by, s.acknowledged_at)}</td>
            <td>{mark(s.resolve_by, s.resolved_at)}</td>
        </tr>
    }
}

/// The caller's buttons: one per action the rules allow; reasons and notes in one box; the
/// street's whistle names a lead department and co-handlers; the reporter rates.
#[component]
fn Actions(report: FieldReportView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let (id, v) = (report.id, report.version);
    let can = report.can.clone();
    if can.is_empty() {
        return ().into_any();
    }
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let lead = RwSignal::new(String::new());
    let co = RwSignal::new(Vec::<i64>::new());
    let queued = RwSignal::new(false);
    let departments = LocalResource::new(api::field_departments);
    let outbox = Outbox::get();
    // Sent at once with its key; without a network it goes into the outbox with the same key
    // and the version it was made on (a first try that did get through makes the second a no-op).
    let send = move |action: serde_json::Value| {
        error.set(None);
        let name = action["action"].as_str().unwrap_or_default().to_owned();
        let job = Job::Act {
            report: id,
            version: v,
            action: action.to_string(),
            name,
        };
        let item = Pending::new(job, now_secs());
        leptos::task::spawn_local(async move {
            match api::field_act(id, v, action.to_string(), item.key.clone()).await {
                Ok(_) => version.update(|x| *x += 1),
                Err(AppError::Request(_)) => {
                    queued.set(true);
                    outbox.add(item);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let needs_text = can.iter().any(|a| {
        matches!(
            a.as_str(),
            "pass-up" | "send-back" | "resolve" | "reject" | "reopen"
        )
    });
    let has = |a: &str| can.iter().any(|x| x == a);
    let simple = [
        "acknowledge",
        "pass-up",
        "send-back",
        "resolve",
        "reject",
        "close",
        "reopen",
    ];
    view! {
        <section class="card field-actions" aria-labelledby="act-h">
            <h2 id="act-h">{move || i18n.t("field.act")}</h2>
            {needs_text.then(|| view! {
                <label>{move || i18n.t("field.reason")}
                    <textarea rows="2" maxlength="500" bind:value=text placeholder=move || i18n.t("field.reason_hint")></textarea>
                </label>
            })}
            <div class="actions">
                {simple.into_iter().filter(|a| has(a)).map(|a| {
                    let click = move |_| {
                        let t = text.get_untracked();
                        let body = match a {
                            "resolve" => serde_json::json!({"action": a, "note": t}),
                            "acknowledge" | "close" => serde_json::json!({"action": a}),
                            _ => serde_json::json!({"action": a, "reason": t}),
                        };
                        send(body);
                    };
                    let class = if matches!(a, "acknowledge" | "resolve" | "close") { "primary" } else { "" };
                    view! { <button type="button" class=class on:click=click>{move || i18n.t(&format!("field.do.{a}"))}</button> }
                }).collect_view()}
            </div>
            {has("whistle").then(|| view! {
                <fieldset class="whistle">
                    <legend>{move || i18n.t("field.whistle")}</legend>
                    <label>{move || i18n.t("field.lead")}
                        <select bind:value=lead>
                            <option value="">{move || i18n.t("field.choose")}</option>
                            {move || deps(departments).into_iter().map(|d| view! { <option value=d.id.to_string()>{d.name}</option> }).collect_view()}
                        </select>
                    </label>
                    <p class="muted">{move || i18n.t("field.co")}</p>
                    {move || deps(departments).into_iter().map(|d| {
                        let did = d.id;
                        view! {
                            <label class="inline"><input type="checkbox"
                                prop:checked=move || co.with(|c| c.contains(&did))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    co.update(|c| { c.retain(|x| *x != did); if on { c.push(did) } });
                                }/>{d.name}</label>
                        }
                    }).collect_view()}
                    <button type="button" class="primary" on:click=move |_| {
                        let Ok(l) = lead.get_untracked().parse::<i64>() else {
                            error.set(Some(AppError::Invalid("field.err.lead".into())));
                            return;
                        };
                        let others: Vec<i64> = co.get_untracked().into_iter().filter(|d| *d != l).collect();
                        send(serde_json::json!({"action": "whistle", "lead": l, "co": others}));
                    }>{move || i18n.t("field.do.whistle")}</button>
                </fieldset>
            })}
            {has("rate").then(|| view! {
                <div class="actions rate" role="group" aria-label=move || i18n.t("field.rate")>
                    {["satisfied", "basically", "dissatisfied"].into_iter().map(|s| view! {
                        <button type="button" on:click=move |_| send(serde_json::json!({"action": "rate", "satisfaction": s}))>
                            {move || i18n.t(&format!("field.rate.{s}"))}
                        </button>
                    }).collect_view()}
                </div>
            })}
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <Show when=move || queued.get()>
                <p class="note" role="status">{move || i18n.t("field.act_queued")}</p>
            </Show>
        </section>
    }
    .into_any()
}

fn deps(r: LocalResource<Result<Vec<DepartmentView>, AppError>>) -> Vec<DepartmentView> {
    r.get().and_then(|r| r.ok()).unwrap_or_default()
}

/// For those who handle the report: the reporter's name and phone, shown on request (the server
/// records every reveal).
#[component]
fn Contact(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let staff = move || {
        crate::use_auth()
            .user()
            .is_some_and(|u| u.role != domain::Role::Resident || u.department.is_some())
    };
    let shown = RwSignal::new(None::<Result<crate::api::services::WishContact, AppError>>);
    let reveal = move |_| {
        leptos::task::spawn_local(async move {
            shown.set(Some(api::field_reporter_contact(id).await));
        });
    };
    view! {
        <Show when=staff>
            <p class="contact">
                {move || match shown.get() {
                    None => view! { <button type="button" on:click=reveal>{move || i18n.t("field.reveal")}</button> }.into_any(),
                    Some(Ok(c)) => {
                        let phone = if c.phone.is_empty() { i18n.t("field.no_phone") } else { c.phone.clone() };
                        view! { <span>{move || i18n.t("field.reporter")} "：" {c.name.clone()} " · " {phone}</span> }.into_any()
                    }
                    Some(Err(e)) => view! { <ErrorNote error=e/> }.into_any(),
                }}
            </p>
        </Show>
    }
}
