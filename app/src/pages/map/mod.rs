//! The grid map and its editor. Drawn in SVG in Web Mercator; pan by dragging, zoom by wheel,
//! buttons or pinch. Grid workers (inside their scope) and administrators edit boundaries with
//! shared vertices kept shared, snapping, split, merge, new grids, attributes, undo/redo, and save
//! everything at once. The coverage rules of `domain::geometry` run here while editing and again on
//! the server when saving.

use crate::api::grids::{self as api, GridEdit, GridMap, GridView, RevisionView};
use crate::i18n::use_i18n;
use crate::outbox::{Job, Outbox, Pending, Sending, Sent};
use crate::ui::{error_message, now_ms, typing_in_field, Loaded};
use domain::geometry::{self as geo, Boundary, Coverage, Index, Point, Problem, Ring, Shape};
use domain::history::History;
use leptos::ev;
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

mod dom;
mod editor;
mod gestures;
mod grid_form;
mod import;
mod layers;
mod model;
mod panels;
mod projection;
mod work;
use dom::*;
use editor::*;
use grid_form::*;
use layers::*;
use model::{Drag, NewGrid, Refusal};
use projection::*;
use work::*;

type Work = Vec<Arc<GridView>>;

const VIEW_W: f64 = 1000.0;
/// Snapping distance and vertex handle radius in screen pixels, for a mouse and for a finger.
const SNAP_PX: f64 = 10.0;
const HANDLE_PX: f64 = 8.0;
const TOUCH_SCALE: f64 = 1.75;

#[component]
pub fn MapPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(api::grids_list);
    view! {
        <section class="page map-page">
            <h1>{move || i18n.t("map.title")}</h1>
            <Loaded resource=data ok=move |m| view! { <MapEditor map=m/> }/>
        </section>
    }
}
