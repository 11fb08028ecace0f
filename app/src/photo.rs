//! Photos in the browser: a chosen photo is drawn onto a canvas at most
//! `domain::photo::TARGET_SIDE` pixels long and sent as a JPEG (a 12-megapixel phone photo of
//! 4–8 MB becomes 150–400 KB, and re-drawing leaves its EXIF — GPS position included — behind);
//! `PhotoStrip` shows the photos a viewer may see.

use crate::api::photos::PhotoRef;
use crate::i18n::use_i18n;
use crate::ui::FileError;
use leptos::prelude::*;

/// The largest file accepted from the camera roll before shrinking.
#[cfg(feature = "csr")]
const MAX_CHOSEN: usize = 40 * 1_048_576;

/// The photo chosen in `input`, shrunk, as base64 JPEG; `None` when nothing was chosen.
pub async fn shrink_chosen(
    input: &leptos::web_sys::HtmlInputElement,
) -> Result<Option<String>, FileError> {
    #[cfg(feature = "csr")]
    {
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::{
            js_sys, CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, Url,
        };
        let file = match crate::ui::chosen_file(input, MAX_CHOSEN) {
            Err(FileError::NoneChosen) => return Ok(None),
            r => r?,
        };
        let bad = |_| FileError::Unreadable;
        let url = Url::create_object_url_with_blob(&file).map_err(bad)?;
        let img = HtmlImageElement::new().map_err(bad)?;
        let loaded = js_sys::Promise::new(&mut |resolve, reject| {
            img.set_onload(Some(&resolve));
            img.set_onerror(Some(&reject));
        });
        img.set_src(&url);
        let r = wasm_bindgen_futures::JsFuture::from(loaded).await;
        let _ = Url::revoke_object_url(&url);
        r.map_err(bad)?;
        let (w, h) = domain::photo::fit(
            img.natural_width(),
            img.natural_height(),
            domain::photo::TARGET_SIDE,
        );
        let canvas: HtmlCanvasElement = leptos::prelude::document()
            .create_element("canvas")
            .map_err(bad)?
            .dyn_into()
            .map_err(|_| FileError::Unreadable)?;
        canvas.set_width(w);
        canvas.set_height(h);
        let ctx: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .map_err(bad)?
            .ok_or(FileError::Unreadable)?
            .dyn_into()
            .map_err(|_| FileError::Unreadable)?;
        ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, w as f64, h as f64)
            .map_err(bad)?;
        for quality in [0.82, 0.65, 0.5] {
            let data = canvas
                .to_data_url_with_type_and_encoder_options(
                    "image/jpeg",
                    &leptos::wasm_bindgen::JsValue::from_f64(quality),
                )
                .map_err(bad)?;
            let b64 = data.split_once(',').map(|(_, d)| d).unwrap_or_default();
            if b64.len() / 4 * 3 <= domain::photo::MAX_BYTES {
                return Ok(Some(b64.to_owned()));
            }
        }
        Err(FileError::TooLarge(format!(
            "{:.1}",
            domain::photo::MAX_BYTES as f64 / 1_048_576.0
        )))
    }
    #[cfg(not(feature = "csr"))]
    {
        let _ = input;
        Err(FileError::Unreadable)
    }
}

/// The message for a photo the browser could not prepare.
pub fn shrink_error(i18n: crate::i18n::I18n, e: FileError) -> String {
    match e {
        FileError::TooLarge(mb) => i18n.tf("photo.too_large", &[("mb", mb)]),
        FileError::NoneChosen | FileError::Unreadable => i18n.t("photo.unreadable"),
    }
}

/// A file input for one photo (camera or album on a phone).
#[component]
pub fn PhotoInput(node: NodeRef<leptos::html::Input>, label: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>{move || i18n.t(label)}
            <input type="file" accept="image/*" node_ref=node/>
        </label>
    }
}

/// Thumbnails linking to the photos; the viewer's own can be removed when `remove` says so.
#[component]
pub fn PhotoStrip(
    photos: Vec<PhotoRef>,
    #[prop(optional)] on_remove: Option<Callback<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if photos.is_empty() {
        return ().into_any();
    }
    view! {
        <ul class="photo-strip">
            {photos.into_iter().map(|p| {
                let id = p.id;
                let alt = if p.purpose == "fulfilment" { "photo.fulfilment" } else { "photo.wish" };
                view! {
                    <li>
                        <a href=format!("/photo/{id}") target="_blank" rel="noopener">
                            <img src=format!("/photo/{id}") alt=move || i18n.t(alt) loading="lazy"/>
                        </a>
                        {(p.mine && on_remove.is_some()).then(|| view! {
                            <button type="button" class="link" on:click=move |_| { if let Some(f) = on_remove { f.run(id) } }>
                                {move || i18n.t("photo.remove")}
                            </button>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
