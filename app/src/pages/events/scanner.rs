//! The organiser's camera at the check-in desk: shows the camera image, reads a QR code from it
//! about five times a second (`crate::qr::read_greyscale`) and hands each new code to the desk.
//! The camera stops when the organiser stops scanning or leaves the page.

use crate::i18n::use_i18n;
use leptos::prelude::*;

/// The same code again within this many milliseconds is not handed over twice (the resident is
/// still holding the phone up after being checked in).
#[cfg(feature = "csr")]
const REPEAT_MS: f64 = 4_000.0;

#[cfg(feature = "csr")]
type Stream = leptos::web_sys::MediaStream;
#[cfg(not(feature = "csr"))]
type Stream = ();

#[component]
pub fn CameraScanner(on_code: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let scanning = RwSignal::new(false);
    let error = RwSignal::new(None::<&'static str>);
    let video = NodeRef::<leptos::html::Video>::new();
    let camera = StoredValue::new_local(None::<Stream>);
    let stop = move || {
        scanning.set(false);
        camera.update_value(|c| {
            if let Some(stream) = c.take() {
                stop_tracks(&stream);
            }
        });
        show(video, None);
    };
    on_cleanup(move || {
        if let Some(Some(stream)) = camera.try_update_value(|c| c.take()) {
            stop_tracks(&stream);
        }
    });
    let start = move |_| {
        error.set(None);
        scanning.set(true);
        leptos::task::spawn_local(async move {
            match open_camera().await {
                Ok(stream) => {
                    if camera.is_disposed() || !scanning.get_untracked() {
                        stop_tracks(&stream);
                        return;
                    }
                    show(video, Some(&stream));
                    camera.set_value(Some(stream));
                    read_frames(video, scanning, on_code).await;
                }
                Err(key) => {
                    if !scanning.is_disposed() {
                        scanning.set(false);
                        error.set(Some(key));
                    }
                }
            }
        });
    };
    view! {
        <div class="scanner">
            <Show when=move || scanning.get() fallback=move || view! {
                <button type="button" on:click=start>{move || i18n.t("events.scan_start")}</button>
            }>
                <button type="button" on:click=move |_| stop()>{move || i18n.t("events.scan_stop")}</button>
                <p class="muted">{move || i18n.t("events.scan_hint")}</p>
            </Show>
            <video node_ref=video class="camera" class:hidden=move || !scanning.get()
                prop:muted=true prop:playsInline=true aria-label=move || i18n.t("events.camera_label")></video>
            {move || error.get().map(|key| view! { <p class="error" role="alert">{i18n.t(key)}</p> })}
        </div>
    }
}

#[cfg(feature = "csr")]
fn stop_tracks(stream: &Stream) {
    use leptos::wasm_bindgen::JsCast;
    for track in stream.get_tracks().iter() {
        if let Ok(t) = track.dyn_into::<leptos::web_sys::MediaStreamTrack>() {
            t.stop();
        }
    }
}

#[cfg(feature = "csr")]
fn show(video: NodeRef<leptos::html::Video>, stream: Option<&Stream>) {
    if let Some(v) = video.get_untracked() {
        v.set_src_object(stream);
        if stream.is_some() {
            let _ = v.play();
        }
    }
}

#[cfg(not(feature = "csr"))]
fn stop_tracks(_: &Stream) {}

#[cfg(not(feature = "csr"))]
fn show(_: NodeRef<leptos::html::Video>, _: Option<&Stream>) {}

/// The back camera if there is one; errors are translation keys.
#[cfg(feature = "csr")]
async fn open_camera() -> Result<Stream, &'static str> {
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{MediaStreamConstraints, MediaTrackConstraints};
    // Browsers offer the camera only to secure pages (https, or localhost).
    let devices = leptos::web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or("events.camera_unavailable")?;
    let video = MediaTrackConstraints::new();
    video.set_facing_mode_str("environment");
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&video);
    constraints.set_audio(&false.into());
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| "events.camera_unavailable")?;
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(stream) => stream.dyn_into().map_err(|_| "events.camera_unavailable"),
        Err(e) => {
            let name = e
                .dyn_ref::<leptos::web_sys::js_sys::Error>()
                .map(|e| String::from(e.name()))
                .unwrap_or_default();
            Err(match name.as_str() {
                "NotAllowedError" | "SecurityError" => "events.camera_denied",
                _ => "events.camera_unavailable",
            })
        }
    }
}

#[cfg(not(feature = "csr"))]
async fn open_camera() -> Result<Stream, &'static str> {
    Err("events.camera_unavailable")
}

/// Reads the camera image until scanning stops: scaled to at most 640 px wide, greyscale, decoded.
#[cfg(feature = "csr")]
async fn read_frames(
    video: NodeRef<leptos::html::Video>,
    scanning: RwSignal<bool>,
    on_code: Callback<String>,
) {
    use leptos::wasm_bindgen::JsCast;
    let Some(canvas) = leptos::web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<leptos::web_sys::HtmlCanvasElement>().ok())
    else {
        return;
    };
    let options = leptos::web_sys::ContextAttributes2d::new();
    options.set_will_read_frequently(true);
    let Some(ctx) = canvas
        .get_context_with_context_options("2d", &options)
        .ok()
        .flatten()
        .and_then(|c| {
            c.dyn_into::<leptos::web_sys::CanvasRenderingContext2d>()
                .ok()
        })
    else {
        return;
    };
    let mut last: Option<(String, f64)> = None;
    loop {
        crate::ui::sleep(200).await;
        if scanning.is_disposed() || !scanning.get_untracked() {
            return;
        }
        let Some(v) = video.get_untracked() else {
            return;
        };
        let (vw, vh) = (v.video_width() as f64, v.video_height() as f64);
        if v.ready_state() < 2 || vw < 1.0 || vh < 1.0 {
            continue;
        }
        let scale = (640.0 / vw).min(1.0);
        let (w, h) = ((vw * scale).round() as u32, (vh * scale).round() as u32);
        canvas.set_width(w);
        canvas.set_height(h);
        if ctx
            .draw_image_with_html_video_element_and_dw_and_dh(&v, 0.0, 0.0, w as f64, h as f64)
            .is_err()
        {
            continue;
        }
        let Ok(frame) = ctx.get_image_data(0.0, 0.0, w as f64, h as f64) else {
            continue;
        };
        let luma = crate::qr::greyscale_from_rgba(&frame.data());
        let Some(code) = crate::qr::read_greyscale(w as usize, h as usize, &luma) else {
            continue;
        };
        let now = leptos::web_sys::js_sys::Date::now();
        if last
            .as_ref()
            .is_some_and(|(c, t)| *c == code && now - t < REPEAT_MS)
        {
            continue;
        }
        last = Some((code.clone(), now));
        on_code.run(code);
    }
}

#[cfg(not(feature = "csr"))]
async fn read_frames(_: NodeRef<leptos::html::Video>, _: RwSignal<bool>, _: Callback<String>) {}
