//! The unit panel: details, people, term and change log; term reminders.

use super::*;

/// Units in the caller's scope whose term ends within six months or has ended.
#[component]
pub(super) fn Reminders(ed: Ed) -> impl IntoView {
    let i18n = use_i18n();
    let due = Memo::new(move |_| {
        let today = ed.today.get_value();
        let mut v: Vec<(TermStatus, String, i64, String)> = ed.tree.with(|t| {
            t.units()
                .iter()
                .filter(|u| ed.editor() && ed.can_edit(&u.code))
                .filter_map(|u| {
                    let s = term_status(u.term_start.as_deref(), u.term_years, &today);
                    let end = u
                        .term_start
                        .as_deref()
                        .and_then(|d| term_end(d, u.term_years))?;
                    s.is_due().then(|| (s, end, u.id, u.name.clone()))
                })
                .collect()
        });
        v.sort();
        v
    });
    view! {
        <Show when=move || ed.editor()>
            <section class="card reminders" aria-labelledby="reminders-h">
                <h2 id="reminders-h">{move || i18n.t("orgs.reminders")}" "<span class="tag">{move || due.with(Vec::len)}</span></h2>
                <Show when=move || due.with(Vec::is_empty)>
                    <p class="muted">{move || i18n.t("orgs.no_reminders")}</p>
                </Show>
                <ul class="reminder-list">
                    {move || due.get().into_iter().take(50).map(|(s, end, id, name)| view! {
                        <li>
                            <button type="button" class="link" on:click=move |_| { ed.reveal(id); ed.panel.set(Some(id)); }>{name}</button>
                            " "<span class=status_class(s)>{i18n.t(s.key())}</span>
                            " "<span class="muted">{i18n.tf("orgs.term_ends", &[("date", end)])}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// One unit's details: level, code, people (phones masked), term, grid, and change log. Editors
/// of the unit change term, grid and people here.
#[component]
pub(super) fn Panel(ed: Ed, id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(move || {
        ed.panel_tick.get();
        api::org_unit_panel(id)
    });
    view! {
        <section class="card org-panel" aria-labelledby="org-panel-h">
            <Loaded resource=data ok=move |p| view! { <PanelBody ed=ed panel=p/> }/>
            <button type="button" class="link" on:click=move |_| { ed.panel.set(None); focus_tree(); }>{move || i18n.t("common.close")}</button>
        </section>
    }
}

#[component]
pub(super) fn PanelBody(ed: Ed, panel: OrgUnitPanelView) -> impl IntoView {
    let i18n = use_i18n();
    let u = panel.unit.clone();
    let id = u.id;
    let zh = ed.zh(i18n);
    let editable = ed.can_edit(&u.code);
    let today = ed.today.get_value();
    let status = term_status(u.term_start.as_deref(), u.term_years, &today);
    let end = u
        .term_start
        .as_deref()
        .and_then(|d| term_end(d, u.term_years));
    let members = ed
        .members
        .with_untracked(|m| m.get(&id).copied().unwrap_or(0));
    let grid = u.grid.clone();
    let editing = RwSignal::new(false);
    let roles = panel.roles.clone();
    let form_panel = panel.clone();
    view! {
        <h2 id="org-panel-h">{u.name.clone()}</h2>
        <dl class="facts">
            <dt>{i18n.t("orgs.level")}</dt><dd>{ed.level_name(&u.level, zh)}</dd>
            <dt>{i18n.t("orgs.code")}</dt><dd><code>{u.code.clone()}</code></dd>
            {panel.full.then(|| view! {
                <dt>{i18n.t("orgs.members")}</dt><dd>{members}</dd>
                <dt>{i18n.t("orgs.term")}</dt>
                <dd>{match (&u.term_start, &end) {
                    (Some(s), Some(e)) => format!("{s} — {e}（{}）", i18n.tf("orgs.years", &[("n", u.term_years.to_string())])),
                    _ => i18n.t("orgs.term.unknown"),
                }}" "<span class=status_class(status)>{i18n.t(status.key())}</span></dd>
            })}
            <dt>{i18n.t("orgs.grid")}</dt>
            <dd>{match grid.clone() {
                Some(g) => view! { <a href=format!("/map?grid={g}")>{g.clone()}</a> }.into_any(),
                None => view! { <span class="muted">{i18n.t("orgs.no_grid")}</span> }.into_any(),
            }}</dd>
        </dl>
        <h3>{i18n.t("orgs.people")}</h3>
        <ul class="people">
            {roles.iter().map(|r| view! {
                <li>
                    <span class="tag">{i18n.t(&format!("orgs.role.{}", r.role))}</span>" "{r.person_name.clone()}
                    {(!r.phone.is_empty()).then(|| view! { " "<span class="muted">{r.phone.clone()}</span> })}
                    {(!r.resident_unit.is_empty()).then(|| view! { " "<span class="muted">"（"{r.resident_unit.clone()}"）"</span> })}
                </li>
            }).collect_view()}
        </ul>
        {editable.then(|| view! {
            <Show when=move || !editing.get()>
                <button type="button" on:click=move |_| editing.set(true)>{move || i18n.t("orgs.edit_details")}</button>
            </Show>
            <Show when=move || editing.get()>
                <DetailsForm ed=ed panel=form_panel.clone() editing=editing/>
            </Show>
        })}
        {panel.full.then(|| view! {
            <h3>{i18n.t("orgs.log")}</h3>
            {if panel.log.is_empty() {
                view! { <p class="muted">{i18n.t("orgs.log_empty")}</p> }.into_any()
            } else {
                view! {
                    <ol class="change-log">
                        {panel.log.iter().map(|c| view! {
                            <li>
                                <span class="muted">{c.at.clone()}" · "{c.actor.clone()}</span>" "
                                <b>{i18n.t(&format!("orgs.action.{}", c.action))}</b>
                                {(!c.before.is_empty() || !c.after.is_empty()).then(|| view! {
                                    <div class="change">{describe(i18n, &c.before)}" → "{describe(i18n, &c.after)}</div>
                                })}
                                {(!c.reason.is_empty()).then(|| view! { <div>{i18n.t("orgs.reason")}"："{c.reason.clone()}</div> })}
                                {(!c.doc_no.is_empty()).then(|| view! { <div>{i18n.t("orgs.doc_no")}"："{c.doc_no.clone()}</div> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        })}
    }
}

/// A change-log value (a JSON object or plain text) as a short line.
pub(super) fn describe(i18n: I18n, s: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(serde_json::Value::Object(m)) => m
            .iter()
            .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
            .map(|(k, v)| {
                let label = if LOG_FIELDS.contains(&k.as_str()) {
                    i18n.t(&format!("orgs.field.{k}"))
                } else {
                    k.clone()
                };
                format!(
                    "{label}：{}",
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                )
            })
            .collect::<Vec<_>>()
            .join("；"),
        _ if s.is_empty() => "—".into(),
        _ => s.to_owned(),
    }
}

#[component]
pub(super) fn DetailsForm(
    ed: Ed,
    panel: OrgUnitPanelView,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let u = panel.unit.clone();
    let id = u.id;
    let before = UnitDetails {
        term_start: u.term_start.clone(),
        term_years: u.term_years,
        grid: u.grid.clone(),
        roles: panel
            .roles
            .iter()
            .map(|r| RoleHolder {
                id: Some(r.id),
                role: r.role.clone(),
                person_name: r.person_name.clone(),
                phone: r.phone.clone(),
                resident_unit: r.resident_unit.clone(),
            })
            .collect(),
    };
    let term_start = RwSignal::new(u.term_start.clone().unwrap_or_default());
    let term_years = RwSignal::new(u.term_years);
    let grid = RwSignal::new(u.grid.clone().unwrap_or_default());
    let people = RwSignal::new(before.roles.clone());
    let error = RwSignal::new(None::<String>);
    let before = StoredValue::new(before);
    let save = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let details = UnitDetails {
            term_start: Some(term_start.get_untracked()).filter(|s| !s.trim().is_empty()),
            term_years: term_years.get_untracked(),
            grid: Some(grid.get_untracked()).filter(|s| !s.trim().is_empty()),
            roles: people.get_untracked(),
        };
        if let Err(e) = details.check() {
            error.set(Some(refusal_text(i18n, &e)));
            return;
        }
        let Some(version) = ed.tree.with_untracked(|t| t.get(id).map(|u| u.version)) else {
            return;
        };
        // Undo restores what the panel showed: people taken off come back with their stored phones.
        let old = before.get_value();
        let edit = Edit {
            forward: vec![OrgCommand::Details {
                id,
                version,
                details,
            }],
            inverse: vec![OrgCommand::Details {
                id,
                version: version + 1,
                details: old,
            }],
        };
        error.set(None);
        editing.set(false);
        ed.run(i18n, edit, Run::Do);
    };
    view! {
        <form class="stack details-form" on:submit=save>
            <label>{move || i18n.t("orgs.term_start")}
                <input type="date" prop:value=move || term_start.get() on:input=move |e| term_start.set(event_target_value(&e))/>
            </label>
            <label>{move || i18n.t("orgs.term_years")}
                <select on:change=move |e| term_years.set(event_target_value(&e).parse().unwrap_or(3))>
                    {(1u8..=10).map(|y| view! { <option value=y.to_string() selected=move || term_years.get() == y>{y}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || i18n.t("orgs.grid_code")}
                <input inputmode="numeric" prop:value=move || grid.get() on:input=move |e| grid.set(event_target_value(&e))/>
            </label>
            <fieldset class="people-edit">
                <legend>{move || i18n.t("orgs.people")}</legend>
                {move || people.get().into_iter().enumerate().map(|(i, r)| {
                    let role = r.role.clone();
                    view! {
                        <div class="person-row">
                            <select aria-label=i18n.t("orgs.role") on:change=move |e| { let v = event_target_value(&e); people.update(|p| p[i].role = v); }>
                                {domain::org::ROLES.iter().map(|k| view! { <option value=*k selected=role == *k>{i18n.t(&format!("orgs.role.{k}"))}</option> }).collect_view()}
                            </select>
                            <input aria-label=i18n.t("orgs.person") value=r.person_name.clone() maxlength="40"
                                on:change=move |e| { let v = event_target_value(&e); people.update(|p| p[i].person_name = v); }/>
                            <input aria-label=i18n.t("orgs.phone") value=r.phone.clone() inputmode="tel" maxlength="20"
                                on:change=move |e| { let v = event_target_value(&e); people.update(|p| p[i].phone = v); }/>
                            <input aria-label=i18n.t("orgs.resident_unit") placeholder=i18n.t("orgs.resident_unit") value=r.resident_unit.clone() maxlength="40"
                                on:change=move |e| { let v = event_target_value(&e); people.update(|p| p[i].resident_unit = v); }/>
                            <button type="button" aria-label=i18n.t("orgs.remove_person") on:click=move |_| people.update(|p| { p.remove(i); })>"×"</button>
                        </div>
                    }
                }).collect_view()}
                <button type="button" on:click=move |_| people.update(|p| p.push(RoleHolder {
                    id: None, role: "committee".into(), person_name: String::new(), phone: String::new(), resident_unit: String::new(),
                }))>{move || i18n.t("orgs.add_person")}</button>
            </fieldset>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="inline">
                <button type="submit" class="primary">{move || i18n.t("common.save")}</button>
                <button type="button" on:click=move |_| editing.set(false)>{move || i18n.t("common.cancel")}</button>
            </div>
        </form>
    }
}
