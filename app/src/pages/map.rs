//! The grid map, read-only for now: every level drawn from the stored polygons in Web Mercator,
//! level toggles, basic grids coloured by households against the 300-household target, a searchable
//! list that works by keyboard, and a panel for the selected grid.

use crate::api::{self, grids::GridView};
use crate::i18n::use_i18n;
use crate::ui::{ErrorNote, Loading};
use leptos::prelude::*;

const TARGET_HOUSEHOLDS: i64 = 300;
const VIEW_W: f64 = 1000.0;

fn mercator(p: [f64; 2]) -> (f64, f64) {
    let x = p[0].to_radians();
    let y = (std::f64::consts::FRAC_PI_4 + p[1].to_radians() / 2.0)
        .tan()
        .ln();
    (x, y)
}

/// Projects rings into SVG coordinates fitted to `VIEW_W` wide; returns the height.
fn project(grids: &[GridView]) -> (Vec<String>, f64) {
    let pts = grids
        .iter()
        .flat_map(|g| g.ring.iter().copied())
        .map(mercator);
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in pts {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        return (vec![], VIEW_W);
    }
    let s = VIEW_W / (x1 - x0).max(1e-12);
    let h = ((y1 - y0) * s).max(1.0);
    let paths = grids
        .iter()
        .map(|g| {
            let mut d = String::with_capacity(g.ring.len() * 16);
            for (i, p) in g.ring.iter().enumerate() {
                let (x, y) = mercator(*p);
                d.push_str(if i == 0 { "M" } else { "L" });
                d.push_str(&format!("{:.1},{:.1}", (x - x0) * s, (y1 - y) * s));
            }
            d.push('Z');
            d
        })
        .collect();
    (paths, h)
}

fn load_class(households: i64) -> &'static str {
    let t = TARGET_HOUSEHOLDS;
    if households > t * 6 / 5 {
        "load-high"
    } else if households < t * 4 / 5 {
        "load-low"
    } else {
        "load-ok"
    }
}

#[component]
pub fn MapPage() -> impl IntoView {
    let i18n = use_i18n();
    let grids = LocalResource::new(|| api::grids::grids_list());
    view! {
        <section class="page">
            <h1>{move || i18n.t("map.title")}</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || grids.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(m) => view! { <GridMap grids=m.grids/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn GridMap(grids: Vec<GridView>) -> impl IntoView {
    let i18n = use_i18n();
    let (paths, height) = project(&grids);
    let grids = StoredValue::new(grids);
    let paths = StoredValue::new(paths);
    let shown = [
        RwSignal::new(true),
        RwSignal::new(true),
        RwSignal::new(true),
    ];
    let selected = RwSignal::new(None::<usize>);
    let query = RwSignal::new(String::new());

    let layer = move |level: i64| {
        let on = shown[(level - 1) as usize];
        let items = grids.with_value(|gs| {
            gs.iter()
                .enumerate()
                .filter(|(_, g)| g.level == level)
                .map(|(i, g)| (i, g.name.clone(), g.households))
                .collect::<Vec<_>>()
        });
        view! {
            <g class=format!("level level-{level}") style:display=move || if on.get() { "inline" } else { "none" }>
                {items.into_iter().map(|(i, name, households)| {
                    let class = if level == 3 { format!("grid {}", load_class(households)) } else { "grid".to_owned() };
                    view! {
                        <path d=paths.with_value(|p| p[i].clone()) class=class
                            class:selected=move || selected.get() == Some(i)
                            on:click=move |_| selected.set(Some(i))>
                            <title>{name}</title>
                        </path>
                    }
                }).collect_view()}
            </g>
        }
    };

    let list = move || {
        let q = query.get().trim().to_lowercase();
        grids.with_value(|gs| {
            gs.iter()
                .enumerate()
                .filter(|(_, g)| g.level == 3 && (q.is_empty() || g.name.to_lowercase().contains(&q) || g.code.contains(&q)))
                .take(200)
                .map(|(i, g)| {
                    let label = format!("{} · {}", g.name, g.code);
                    let households = g.households;
                    view! {
                        <li>
                            <button type="button" class="row" aria-pressed=move || (selected.get() == Some(i)).to_string()
                                on:click=move |_| selected.set(Some(i))>
                                <span>{label}</span>
                                <span class=format!("badge {}", load_class(households))>{households}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };

    let panel = move || {
        selected.get().map(|i| {
            let g = grids.with_value(|gs| gs[i].clone());
            view! {
                <aside class="panel card" aria-live="polite">
                    <h2>{g.name.clone()}</h2>
                    <dl class="facts">
                        <dt>{move || i18n.t("grid.code")}</dt><dd>{g.code.clone()}</dd>
                        <dt>{move || i18n.t("grid.level")}</dt><dd>{let l = g.level; move || i18n.t(&format!("grid.level{l}"))}</dd>
                        <dt>{move || i18n.t("grid.kind")}</dt><dd>{let k = g.kind.clone(); move || i18n.t(&format!("grid.kind.{k}"))}</dd>
                        <dt>{move || i18n.t("grid.households")}</dt><dd>{g.households}</dd>
                        <dt>{move || i18n.t("grid.population")}</dt><dd>{g.population}</dd>
                    </dl>
                    <button type="button" on:click=move |_| selected.set(None)>{move || i18n.t("common.close")}</button>
                </aside>
            }
        })
    };

    view! {
        <div class="map-layout">
            <div class="map-main">
                <fieldset class="toggles">
                    <legend>{move || i18n.t("map.levels")}</legend>
                    {(1..=3).map(|l| {
                        let on = shown[l - 1];
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev))/>
                                {move || i18n.t(&format!("grid.level{l}"))}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <svg class="map" viewBox=format!("0 0 {VIEW_W} {height:.0}") role="img" aria-label=move || i18n.t("map.title")>
                    {layer(3)}
                    {layer(2)}
                    {layer(1)}
                </svg>
                <div class="legend" aria-label=move || i18n.t("map.legend")>
                    <span class="legend-item"><span class="swatch load-low"></span>{move || i18n.t("map.load_low")}</span>
                    <span class="legend-item"><span class="swatch load-ok"></span>{move || i18n.t("map.load_ok")}</span>
                    <span class="legend-item"><span class="swatch load-high"></span>{move || i18n.t("map.load_high")}</span>
                </div>
            </div>
            <div class="map-side">
                {panel}
                <label class="search">{move || i18n.t("map.search")}
                    <input type="search" bind:value=query placeholder=move || i18n.t("map.search_hint")/>
                </label>
                <ul class="grid-list" aria-label=move || i18n.t("map.list")>{list}</ul>
            </div>
        </div>
    }
}
