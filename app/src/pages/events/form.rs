//! Publishing and editing an event (this occurrence, this and following, the whole series).

use super::*;

/// What the event form edits; strings as the inputs hold them.
#[derive(Clone, Debug, Default)]
pub struct EventFields {
    pub unit: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub location: String,
    pub starts_at: String,
    pub ends_at: String,
    /// none | service-days | weekly | monthly | custom
    pub repeat: String,
    pub custom: String,
    pub capacity: String,
    pub guests: String,
    pub deadline: String,
    pub visibility: String,
    /// For edits of a recurring event: series | following
    pub mode: String,
    /// Grid code and map point `lon,lat`, both optional.
    pub grid: String,
    pub point: String,
}

impl EventFields {
    fn rule(&self) -> String {
        match self.repeat.as_str() {
            "service-days" => "FREQ=MONTHLY;BYMONTHDAY=15,25".to_owned(),
            "weekly" => "FREQ=WEEKLY".to_owned(),
            "monthly" => "FREQ=MONTHLY".to_owned(),
            "custom" => self.custom.clone(),
            _ => String::new(),
        }
    }

    fn from_rule(rule: Option<&str>) -> (String, String) {
        match rule {
            None => ("none".into(), String::new()),
            Some("FREQ=MONTHLY;BYMONTHDAY=15,25") => ("service-days".into(), String::new()),
            Some("FREQ=WEEKLY") => ("weekly".into(), String::new()),
            Some("FREQ=MONTHLY") => ("monthly".into(), String::new()),
            Some(r) => ("custom".into(), r.to_owned()),
        }
    }

    fn num(s: &str) -> i64 {
        s.trim().parse::<i64>().unwrap_or(-1)
    }

    /// What the server function receives.
    fn input(&self) -> api::EventInput {
        api::EventInput {
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            location: self.location.clone(),
            starts_at: self.starts_at.clone(),
            ends_at: self.ends_at.clone(),
            rrule: self.rule(),
            capacity: Self::num(&self.capacity),
            guests_allowed: Self::num(&self.guests),
            rsvp_deadline_minutes: Self::num(&self.deadline),
            visibility: self.visibility.clone(),
            grid_code: Some(self.grid.clone()),
            point: Some(self.point.clone()),
        }
    }
}

/// The form shared by publishing and editing. `recurring_edit` adds the question every calendar
/// asks when a recurring event changes: the whole series, or this occurrence and the following.
#[component]
pub(super) fn EventForm(
    initial: EventFields,
    recurring_edit: bool,
    submit_key: &'static str,
    error: RwSignal<Option<AppError>>,
    on_submit: impl Fn(EventFields) + Clone + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let f = |v: &str| RwSignal::new(v.to_owned());
    let (unit, title, description, category, location) = (
        f(&initial.unit),
        f(&initial.title),
        f(&initial.description),
        f(&initial.category),
        f(&initial.location),
    );
    let (starts, ends, repeat, custom) = (
        f(&initial.starts_at),
        f(&initial.ends_at),
        f(&initial.repeat),
        f(&initial.custom),
    );
    let (capacity, guests, deadline, visibility, mode) = (
        f(&initial.capacity),
        f(&initial.guests),
        f(&initial.deadline),
        f(&initial.visibility),
        f(&initial.mode),
    );
    let (grid, point) = (f(&initial.grid), f(&initial.point));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        on_submit(EventFields {
            unit: unit.get_untracked(),
            title: title.get_untracked(),
            description: description.get_untracked(),
            category: category.get_untracked(),
            location: location.get_untracked(),
            starts_at: starts.get_untracked(),
            ends_at: ends.get_untracked(),
            repeat: repeat.get_untracked(),
            custom: custom.get_untracked(),
            capacity: capacity.get_untracked(),
            guests: guests.get_untracked(),
            deadline: deadline.get_untracked(),
            visibility: visibility.get_untracked(),
            mode: mode.get_untracked(),
            grid: grid.get_untracked(),
            point: point.get_untracked(),
        });
    };
    view! {
        <form class="grid-form" on:submit=submit>
            {recurring_edit.then(|| view! {
                <fieldset class="wide mode">
                    <legend>{move || i18n.t("events.edit_scope")}</legend>
                    <label class="check"><input type="radio" name="mode" value="series"
                        prop:checked=move || mode.get() == "series" on:change=move |_| mode.set("series".into())/>
                        {move || i18n.t("events.edit_series")}</label>
                    <label class="check"><input type="radio" name="mode" value="this"
                        prop:checked=move || mode.get() == "this" on:change=move |_| mode.set("this".into())/>
                        {move || i18n.t("events.edit_this")}</label>
                    <label class="check"><input type="radio" name="mode" value="following"
                        prop:checked=move || mode.get() == "following" on:change=move |_| mode.set("following".into())/>
                        {move || i18n.t("events.edit_following")}</label>
                    <p class="muted">{move || i18n.t("events.edit_one_hint")}</p>
                </fieldset>
            })}
            <label class="wide">{move || i18n.t("events.f_title")}<input name="title" required maxlength="100" bind:value=title/></label>
            <label>{move || i18n.t("events.category")}
                <select name="category" bind:value=category>
                    {domain::event::Category::ALL.map(|c| view! { <option value=c.as_str()>{move || i18n.t(&format!("events.cat.{}", c.as_str()))}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || i18n.t("events.f_unit")}<input name="unit" inputmode="numeric" required bind:value=unit disabled=recurring_edit || !initial.mode.is_empty()/></label>
            <label>{move || i18n.t("events.location")}<input name="location" maxlength="200" bind:value=location/></label>
            <label>{move || i18n.t("events.f_grid")}<input name="grid" inputmode="numeric" bind:value=grid
                placeholder=move || i18n.t("events.f_grid_hint")/></label>
            <label>{move || i18n.t("events.f_point")}<input name="point" bind:value=point
                placeholder=move || i18n.t("events.f_point_hint")/></label>
            <label>{move || i18n.t("events.f_start")}<input name="starts_at" type="datetime-local" required bind:value=starts/></label>
            <label>{move || i18n.t("events.f_end")}<input name="ends_at" type="datetime-local" required bind:value=ends/></label>
            <label>{move || i18n.t("events.f_repeat")}
                <select name="repeat" bind:value=repeat>
                    <option value="none">{move || i18n.t("events.r_none")}</option>
                    <option value="service-days">{move || i18n.t("events.r_service_days")}</option>
                    <option value="weekly">{move || i18n.t("events.weekly")}</option>
                    <option value="monthly">{move || i18n.t("events.monthly")}</option>
                    <option value="custom">{move || i18n.t("events.r_custom")}</option>
                </select>
            </label>
            <Show when=move || repeat.get() == "custom">
                <label>"RRULE"<input name="rrule" placeholder="FREQ=MONTHLY;BYDAY=2SA" bind:value=custom/></label>
            </Show>
            <label>{move || i18n.t("events.f_capacity")}<input name="capacity" type="number" min="1" max="10000" required bind:value=capacity/></label>
            <label>{move || i18n.t("events.f_guests")}<input name="guests" type="number" min="0" max="10" bind:value=guests/></label>
            <label>{move || i18n.t("events.f_deadline")}<input name="deadline" type="number" min="0" bind:value=deadline/></label>
            <label>{move || i18n.t("events.f_visibility")}
                <select name="visibility" bind:value=visibility>
                    {domain::event::Visibility::ALL.map(|v| view! { <option value=v.as_str()>{move || i18n.t(&format!("events.vis.{}", v.as_str()))}</option> }).collect_view()}
                </select>
            </label>
            <label class="wide">{move || i18n.t("events.f_description")}<textarea name="description" rows="4" maxlength="5000" bind:value=description></textarea></label>
            <div class="form-end wide">
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class="primary">{move || i18n.t(submit_key)}</button>
            </div>
        </form>
    }
}

/// `/events/new`: publish an event.
#[component]
pub fn NewEventPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = crate::use_auth();
    let navigate = use_navigate();
    let tomorrow = ymd(today_days() + 1);
    let unit = auth
        .user()
        .and_then(|u| u.scope)
        .unwrap_or_else(|| "320113001".into());
    let initial = EventFields {
        unit: unit.clone(),
        category: "service-day".into(),
        starts_at: format!("{tomorrow}T09:00"),
        ends_at: format!("{tomorrow}T11:00"),
        repeat: "none".into(),
        capacity: "50".into(),
        guests: "0".into(),
        deadline: "60".into(),
        visibility: "public".into(),
        ..Default::default()
    };
    let error = RwSignal::new(None::<AppError>);
    let submit = move |v: EventFields| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let r = api::event_create(v.unit.clone(), v.input()).await;
            match r {
                Ok(id) => navigate(
                    &format!("/events/{id}?at={}", v.starts_at),
                    Default::default(),
                ),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="page">
            <h1>{move || i18n.t("events.new")}</h1>
            <EventForm initial=initial recurring_edit=false submit_key="events.publish" error=error on_submit=submit/>
            <super::import::IcsImport unit=unit/>
        </section>
    }
}

/// `/events/:id/edit?at=…`: change an event, starting from one of its occurrences.
#[component]
pub fn EditEventPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let at = move || query.read().get("at").unwrap_or_default();
    let detail = LocalResource::new(move || api::event_detail(id(), at()));
    view! {
        <section class="page">
            <p><A href=move || format!("/events/{}?at={}", id(), at())>{move || i18n.t("events.back_to_event")}</A></p>
            <h1>{move || i18n.t("events.edit")}</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || detail.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(d) if !d.can_manage => view! { <ErrorNote error=AppError::Forbidden/> }.into_any(),
                    Ok(d) => view! { <EditForm detail=d/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub(super) fn EditForm(detail: OccurrenceDetail) -> impl IntoView {
    let navigate = use_navigate();
    let o = detail.occurrence.clone();
    let (repeat, custom) = EventFields::from_rule(detail.rrule.as_deref());
    let recurring = detail.rrule.is_some();
    let initial = EventFields {
        unit: detail.unit_code.clone(),
        title: o.title.clone(),
        description: detail.description.clone(),
        category: o.category.as_str().into(),
        location: o.location.clone(),
        starts_at: o.starts_at.clone(),
        ends_at: o.ends_at.clone(),
        repeat,
        custom,
        capacity: o.capacity.to_string(),
        guests: detail.guests_allowed.to_string(),
        deadline: detail.rsvp_deadline_minutes.to_string(),
        visibility: detail.visibility.as_str().into(),
        mode: "series".into(),
        grid: detail.grid_code.clone().unwrap_or_default(),
        point: detail.point.clone().unwrap_or_default(),
    };
    let error = RwSignal::new(None::<AppError>);
    let (id, version, at) = (o.event_id, detail.version, o.recurrence_id.clone());
    let submit = move |v: EventFields| {
        let navigate = navigate.clone();
        let at = at.clone();
        leptos::task::spawn_local(async move {
            let r = api::event_update(
                id,
                version,
                domain::event::EditScope::parse(&v.mode)
                    .unwrap_or(domain::event::EditScope::Series),
                at.clone(),
                v.input(),
            )
            .await;
            match r {
                Ok(new_id) => navigate(
                    &format!("/events/{new_id}?at={}", v.starts_at),
                    Default::default(),
                ),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! { <EventForm initial=initial recurring_edit=recurring submit_key="events.save" error=error on_submit=submit/> }
}
