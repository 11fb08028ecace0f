//! A box-and-line chart of one subtree of the party organisation, a few levels deep, exportable as
//! SVG and PNG (made in the browser: party data never goes to an export service) and printable.

use crate::api::orgs as api;
use crate::i18n::{use_i18n, Locale};
use crate::ui::Loaded;
use domain::org::{LevelSet, Tree};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const W: f64 = 156.0;
const H: f64 = 58.0;
const GAP_X: f64 = 14.0;
const GAP_Y: f64 = 46.0;
/// Boxes drawn at most; deeper or wider parts are left to the tree view.
const MAX_BOXES: usize = 800;

/// One box of the chart, at its top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartBox {
    pub id: i64,
    pub x: f64,
    pub y: f64,
    pub name: String,
    pub level: String,
    pub secretary: Option<String>,
    pub parent: Option<usize>,
}

/// Lays out `root` and `depth` levels beneath it: leaves side by side, each parent centred over
/// its children (a tidy tree in the manner of Reingold–Tilford, without subtree compaction).
pub fn layout(tree: &Tree, root: i64, depth: usize) -> (Vec<ChartBox>, bool) {
    let mut boxes: Vec<ChartBox> = Vec::new();
    let mut next_x = 0.0;
    let mut truncated = false;
    fn place(
        t: &Tree,
        id: i64,
        d: usize,
        depth: usize,
        parent: Option<usize>,
        next_x: &mut f64,
        boxes: &mut Vec<ChartBox>,
        truncated: &mut bool,
    ) -> f64 {
        let u = t.get(id).expect("unit in tree");
        let me = boxes.len();
        boxes.push(ChartBox {
            id,
            x: 0.0,
            y: d as f64 * (H + GAP_Y),
            name: u.name.clone(),
            level: u.level.clone(),
            secretary: u.secretary.clone(),
            parent,
        });
        let kids = t.children(id);
        let mut xs = Vec::new();
        if d < depth {
            for &k in kids {
                if boxes.len() >= MAX_BOXES {
                    *truncated = true;
                    break;
                }
                xs.push(place(
                    t,
                    k,
                    d + 1,
                    depth,
                    Some(me),
                    next_x,
                    boxes,
                    truncated,
                ));
            }
        } else if !kids.is_empty() {
            *truncated = true;
        }
        let x = match (xs.first(), xs.last()) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            _ => {
                let x = *next_x;
                *next_x += W + GAP_X;
                x
            }
        };
        boxes[me].x = x;
        x
    }
    if tree.get(root).is_some() {
        place(
            tree,
            root,
            0,
            depth,
            None,
            &mut next_x,
            &mut boxes,
            &mut truncated,
        );
    }
    (boxes, truncated)
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[component]
pub fn OrgChartPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(api::orgs_tree);
    view! {
        <section class="page chart-page">
            <h1>{move || i18n.t("chart.title")}</h1>
            <Loaded resource=data ok=move |v| view! { <Chart levels=v.levels tree=Tree::new(v.units)/> }/>
        </section>
    }
}

#[component]
fn Chart(levels: LevelSet, tree: Tree) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let first = tree.roots().first().copied().unwrap_or_default();
    let root = RwSignal::new(
        query
            .read_untracked()
            .get("unit")
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|id| tree.get(*id).is_some())
            .unwrap_or(first),
    );
    let depth = RwSignal::new(2usize);
    let tree = StoredValue::new(tree);
    let levels = StoredValue::new(levels);
    let laid = Memo::new(move |_| tree.with_value(|t| layout(t, root.get(), depth.get())));
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let frame = NodeRef::<leptos::html::Div>::new();
    // A wide chart opens with its root in view (centred), not at its left edge.
    Effect::new(move |_| {
        let centre = laid.with(|(boxes, _)| {
            boxes
                .iter()
                .find(|b| b.parent.is_none())
                .map(|b| b.x + W / 2.0)
        });
        if let (Some(el), Some(x)) = (frame.get(), centre) {
            el.set_scroll_left((x - f64::from(el.client_width()) / 2.0).max(0.0) as i32);
        }
    });
    let chain = move || {
        tree.with_value(|t| {
            let mut v: Vec<(i64, String)> = t
                .ancestors(root.get())
                .into_iter()
                .rev()
                .filter_map(|a| t.get(a).map(|u| (a, u.name.clone())))
                .collect();
            if let Some(u) = t.get(root.get()) {
                v.push((u.id, u.name.clone()));
            }
            v
        })
    };
    let file_name = move || {
        tree.with_value(|t| t.get(root.get_untracked()).map(|u| u.code.clone()))
            .unwrap_or_else(|| "chart".into())
    };
    view! {
        <div class="chart-tools no-print">
            <nav class="crumbs" aria-label=move || i18n.t("chart.path")>
                {move || chain().into_iter().map(|(id, name)| view! {
                    <button type="button" class="link" on:click=move |_| root.set(id)>{name}</button>" › "
                }).collect_view()}
            </nav>
            <label class="inline">{move || i18n.t("chart.depth")}
                <select on:change=move |e| depth.set(event_target_value(&e).parse().unwrap_or(2))>
                    {(1usize..=4).map(|d| view! { <option value=d.to_string() selected=d == 2>{d}</option> }).collect_view()}
                </select>
            </label>
            <button type="button" on:click=move |_| download_svg(svg_ref, &file_name())>{move || i18n.t("chart.svg")}</button>
            <button type="button" on:click=move |_| download_png(svg_ref, &file_name())>{move || i18n.t("chart.png")}</button>
            <button type="button" on:click=move |_| print()>{move || i18n.t("chart.print")}</button>
            <a href="/orgs">{move || i18n.t("chart.back")}</a>
        </div>
        {move || laid.with(|(_, t)| *t).then(|| view! { <p class="muted no-print">{i18n.t("chart.truncated")}</p> })}
        <div class="chart-frame" node_ref=frame>
            {move || {
                let zh = i18n.locale.get() == Locale::Zh;
                let (boxes, _) = laid.get();
                let width = boxes.iter().map(|b| b.x + W).fold(W, f64::max) + 2.0;
                let height = boxes.iter().map(|b| b.y + H).fold(H, f64::max) + 2.0;
                let lines: Vec<String> = boxes.iter().filter_map(|b| b.parent.map(|p| {
                    let pb = &boxes[p];
                    let (x1, y1) = (pb.x + W / 2.0 + 1.0, pb.y + H + 1.0);
                    let (x2, y2) = (b.x + W / 2.0 + 1.0, b.y + 1.0);
                    let mid = y1 + GAP_Y / 2.0;
                    format!("M{x1},{y1}V{mid}H{x2}V{y2}")
                })).collect();
                view! {
                    <svg node_ref=svg_ref xmlns="http://www.w3.org/2000/svg" class="org-chart" role="img"
                        aria-label=i18n.t("chart.title")
                        width=width.to_string() height=height.to_string()
                        viewBox=format!("0 0 {width} {height}")
                        font-family="'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif">
                        <rect width="100%" height="100%" fill="#ffffff"/>
                        <path d=lines.join("") fill="none" stroke="#8a9099" stroke-width="1.2"/>
                        {boxes.into_iter().map(|b| {
                            let lvl = levels.with_value(|l| l.name(&b.level, zh));
                            let fill = if b.parent.is_none() { "#b71c1c" } else { "#ffffff" };
                            let ink = if b.parent.is_none() { "#ffffff" } else { "#1f2328" };
                            let id = b.id;
                            view! {
                                <g class="chart-box" transform=format!("translate({},{})", b.x + 1.0, b.y + 1.0)
                                    on:click=move |_| root.set(id)>
                                    <title>{b.name.clone()}</title>
                                    <rect width=W.to_string() height=H.to_string() rx="6" fill=fill stroke="#b71c1c" stroke-width="1.2"/>
                                    <text x=(W / 2.0).to_string() y="20" text-anchor="middle" font-size="13" font-weight="600" fill=ink>{clip(&b.name, 11)}</text>
                                    <text x=(W / 2.0).to_string() y="37" text-anchor="middle" font-size="11" fill=ink>{lvl}</text>
                                    <text x=(W / 2.0).to_string() y="51" text-anchor="middle" font-size="11" fill=ink>{b.secretary.map(|s| format!("{}：{}", i18n.t("orgs.secretary"), clip(&s, 6))).unwrap_or_default()}</text>
                                </g>
                            }
                        }).collect_view()}
                    </svg>
                }
            }}
        </div>
    }
}

#[cfg(feature = "csr")]
fn save_blob(blob: &leptos::web_sys::Blob, name: &str) {
    use wasm_bindgen::JsCast;
    let Ok(url) = leptos::web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let doc = leptos::web_sys::window().and_then(|w| w.document());
    if let Some(a) = doc
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = leptos::web_sys::Url::revoke_object_url(&url);
}

#[cfg(feature = "csr")]
fn svg_text(svg: NodeRef<leptos::svg::Svg>) -> Option<String> {
    svg.get_untracked().map(|e| {
        let e: &leptos::web_sys::Element = &e;
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
            e.outer_html()
        )
    })
}

fn download_svg(svg: NodeRef<leptos::svg::Svg>, name: &str) {
    #[cfg(feature = "csr")]
    {
        let Some(text) = svg_text(svg) else { return };
        let parts = leptos::web_sys::js_sys::Array::of1(&text.into());
        let opts = leptos::web_sys::BlobPropertyBag::new();
        opts.set_type("image/svg+xml;charset=utf-8");
        if let Ok(blob) = leptos::web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) {
            save_blob(&blob, &format!("org-chart-{name}.svg"));
        }
    }
    #[cfg(not(feature = "csr"))]
    let _ = (svg, name);
}

/// Draws the SVG into a canvas at twice its size and saves the canvas as PNG.
fn download_png(svg: NodeRef<leptos::svg::Svg>, name: &str) {
    #[cfg(feature = "csr")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Some(text) = svg_text(svg) else { return };
        let Some(el) = svg.get_untracked() else {
            return;
        };
        let el: &leptos::web_sys::Element = &el;
        let w: f64 = el
            .get_attribute("width")
            .and_then(|v| v.parse().ok())
            .unwrap_or(800.0);
        let h: f64 = el
            .get_attribute("height")
            .and_then(|v| v.parse().ok())
            .unwrap_or(600.0);
        let Ok(img) = leptos::web_sys::HtmlImageElement::new() else {
            return;
        };
        let name = format!("org-chart-{name}.png");
        let img2 = img.clone();
        let onload = Closure::once(move || {
            let doc = leptos::web_sys::window().and_then(|w| w.document());
            let Some(canvas) = doc
                .and_then(|d| d.create_element("canvas").ok())
                .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlCanvasElement>().ok())
            else {
                return;
            };
            // Browsers cap canvas sizes; very wide charts are drawn at 1× instead of 2×.
            let scale = if w * h * 4.0 > 120_000_000.0 {
                1.0
            } else {
                2.0
            };
            canvas.set_width((w * scale) as u32);
            canvas.set_height((h * scale) as u32);
            let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| {
                c.dyn_into::<leptos::web_sys::CanvasRenderingContext2d>()
                    .ok()
            }) else {
                return;
            };
            let _ = ctx.scale(scale, scale);
            let _ = ctx.draw_image_with_html_image_element(&img2, 0.0, 0.0);
            let save = Closure::once(move |blob: Option<leptos::web_sys::Blob>| {
                if let Some(b) = blob {
                    save_blob(&b, &name);
                }
            });
            let _ = canvas.to_blob(save.as_ref().unchecked_ref());
            save.forget();
        });
        img.set_onload(Some(onload.as_ref().unchecked_ref()));
        onload.forget();
        let data = format!(
            "data:image/svg+xml;charset=utf-8,{}",
            String::from(leptos::web_sys::js_sys::encode_uri_component(&text))
        );
        img.set_src(&data);
    }
    #[cfg(not(feature = "csr"))]
    let _ = (svg, name);
}

fn print() {
    #[cfg(feature = "csr")]
    if let Some(w) = leptos::web_sys::window() {
        let _ = w.print();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::org::OrgUnit;

    fn u(id: i64, parent: Option<i64>, code: &str) -> OrgUnit {
        OrgUnit {
            id,
            parent,
            code: code.into(),
            level: "x".into(),
            name: format!("u{id}"),
            secretary: None,
            grid: None,
            term_start: None,
            term_years: 3,
            members: 0,
            version: 1,
        }
    }

    #[test]
    fn parents_are_centred_over_their_children_and_depth_cuts() {
        let t = Tree::new(vec![
            u(1, None, "1"),
            u(2, Some(1), "101"),
            u(3, Some(1), "102"),
            u(4, Some(2), "10101"),
        ]);
        let (b, truncated) = layout(&t, 1, 1);
        assert!(truncated, "unit 4 is deeper than asked");
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].x, (b[1].x + b[2].x) / 2.0);
        assert!(b[2].x - b[1].x >= W, "boxes do not overlap");
        let (b, truncated) = layout(&t, 1, 3);
        assert!(!truncated);
        assert_eq!(b.len(), 4);
        assert_eq!(b[1].x, b[2].x, "the only child sits under its parent");
    }
}
