//! The few DOM facts the map editor reads: element size, data attributes, pointer capture.

use super::*;

/// Whether the main pointer is coarse (a finger): handles and snapping grow to fit it.
pub(super) fn coarse_pointer() -> bool {
    media_matches("(pointer: coarse)")
}
/// Whether the page has the phone's layout (`style/main.css`: the selected grid is a sheet over
/// the map's foot).
pub(super) fn sheet_layout() -> bool {
    media_matches("(max-width: 640px)")
}
/// Whether the CSS media `query` matches now (never outside the browser).
fn media_matches(query: &str) -> bool {
    #[cfg(feature = "csr")]
    {
        web_sys::window()
            .and_then(|w| w.match_media(query).ok().flatten())
            .is_some_and(|m| m.matches())
    }
    #[cfg(not(feature = "csr"))]
    {
        let _ = query;
        false
    }
}
#[cfg(feature = "csr")]
pub(super) fn client_rect(el: &leptos::web_sys::Element) -> (f64, f64, f64, f64) {
    let r = el.get_bounding_client_rect();
    (r.left(), r.top(), r.width().max(1.0), r.height().max(1.0))
}
#[cfg(not(feature = "csr"))]
pub(super) fn client_rect(_: &leptos::web_sys::Element) -> (f64, f64, f64, f64) {
    (0.0, 0.0, 1000.0, 700.0)
}

#[cfg(feature = "csr")]
pub(super) fn observe_size(el: &leptos::web_sys::Element, on_change: impl Fn() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let cb = Closure::<dyn Fn()>::new(on_change);
    if let Ok(observer) = leptos::web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
        observer.observe(el);
        on_cleanup({
            let observer = send_wrapper::SendWrapper::new(observer);
            move || observer.disconnect()
        });
    }
    cb.forget();
}
#[cfg(not(feature = "csr"))]
pub(super) fn observe_size(_: &leptos::web_sys::Element, _: impl Fn() + 'static) {}

#[cfg(feature = "csr")]
pub(super) fn data_attr(ev: &leptos::web_sys::Event, name: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        .and_then(|e| e.get_attribute(name))
}
#[cfg(not(feature = "csr"))]
pub(super) fn data_attr(_: &leptos::web_sys::Event, _: &str) -> Option<String> {
    None
}

#[cfg(feature = "csr")]
pub(super) fn capture(ev: &ev::PointerEvent) {
    use wasm_bindgen::JsCast;
    if let Some(el) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
    {
        let _ = el.set_pointer_capture(ev.pointer_id());
    }
}
#[cfg(not(feature = "csr"))]
pub(super) fn capture(_: &ev::PointerEvent) {}

/// Keeps `--top-h` (the page header's height, which wraps differently per account and language)
/// on the root element, so a phone's map fills the screen under it (`style/main.css`).
#[cfg(feature = "csr")]
pub(super) fn follow_header_height() {
    use wasm_bindgen::JsCast;
    let doc = leptos::prelude::document();
    let Some(header) = doc.query_selector("header.top").ok().flatten() else {
        return;
    };
    let set = {
        let header = header.clone();
        move || {
            let h = header.get_bounding_client_rect().height();
            if let Some(root) = leptos::prelude::document()
                .document_element()
                .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
            {
                let _ = root.style().set_property("--top-h", &format!("{h:.0}px"));
            }
        }
    };
    set();
    observe_size(&header, set);
}
#[cfg(not(feature = "csr"))]
pub(super) fn follow_header_height() {}
