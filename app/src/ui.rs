//! Small shared pieces of UI.

use crate::api::AppError;
use crate::i18n::use_i18n;
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status" aria-live="polite">{move || i18n.t("common.loading")}</p> }
}

/// The shell around data loaded from the server: "loading" while it comes, the error in the user's
/// words if it fails, otherwise `ok` with the value.
#[component]
pub fn Loaded<T, F, V>(resource: LocalResource<Result<T, AppError>>, ok: F) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                Ok(v) => ok(v).into_any(),
            })}
        </Suspense>
    }
}

/// The translated, user-facing text of an error (needs a reactive owner; in async tasks use
/// `error_message` with an `I18n` taken beforehand).
pub fn error_text(e: &AppError) -> String {
    error_message(use_i18n(), e)
}

pub fn error_message(i18n: crate::i18n::I18n, e: &AppError) -> String {
    match e {
        AppError::Locked(secs) => {
            i18n.tf("err.locked", &[("minutes", ((secs + 59) / 60).to_string())])
        }
        AppError::Refused { key, args, .. } => {
            let sep = if i18n.locale.get_untracked() == crate::i18n::Locale::Zh {
                "、"
            } else {
                ", "
            };
            let args: Vec<(&str, String)> = args
                .iter()
                .map(|(k, v)| {
                    let v = match v.strip_prefix(crate::api::TRANSLATE) {
                        Some(keys) => keys
                            .split(',')
                            .map(|k| i18n.t(k))
                            .collect::<Vec<_>>()
                            .join(sep),
                        None => v.clone(),
                    };
                    (k.as_str(), v)
                })
                .collect();
            i18n.tf(key, &args)
        }
        e => i18n.t(e.message_key()),
    }
}

#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let text = error_text(&error);
    view! { <p class="error" role="alert">{text}</p> }
}

/// Current wall-clock time in Asia/Shanghai as `YYYY-MM-DDTHH:MM` (the browser may be elsewhere).
pub fn shanghai_now() -> String {
    #[cfg(feature = "csr")]
    let ms = web_sys::js_sys::Date::now();
    #[cfg(not(feature = "csr"))]
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0);
    // "YYYY-MM-DD HH:MM:SS" → "YYYY-MM-DDTHH:MM"
    domain::date::shanghai_datetime((ms / 1000.0) as i64)[..16].replacen(' ', "T", 1)
}

/// Waits `ms` milliseconds, letting the browser paint and handle input meanwhile (0: until the
/// next turn of its event loop). Outside the browser it returns at once.
pub async fn sleep(ms: i32) {
    #[cfg(feature = "csr")]
    {
        let promise = web_sys::js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    #[cfg(not(feature = "csr"))]
    let _ = ms;
}

/// Milliseconds since the epoch from the browser's clock (0 outside the browser).
pub fn now_ms() -> f64 {
    #[cfg(feature = "csr")]
    {
        web_sys::js_sys::Date::now()
    }
    #[cfg(not(feature = "csr"))]
    {
        0.0
    }
}

/// Whether a key press is typing into a form field (an input, select, text area, or an element
/// marked `data-typing`), which page-wide shortcuts must leave alone.
pub fn typing_in_field(ev: &leptos::ev::KeyboardEvent) -> bool {
    #[cfg(feature = "csr")]
    {
        use wasm_bindgen::JsCast;
        ev.target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
            .is_some_and(|e| {
                e.has_attribute("data-typing")
                    || matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
            })
    }
    #[cfg(not(feature = "csr"))]
    {
        let _ = ev;
        false
    }
}

/// Why the file chosen in a file input could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum FileError {
    /// No file was chosen (the dialog was cancelled).
    NoneChosen,
    /// Larger than allowed; the size in MiB, one decimal, for the message.
    TooLarge(String),
    /// The browser could not read it.
    Unreadable,
}

#[cfg(feature = "csr")]
pub(crate) fn chosen_file(
    input: &leptos::web_sys::HtmlInputElement,
    max_bytes: usize,
) -> Result<leptos::web_sys::File, FileError> {
    let file = input
        .files()
        .and_then(|f| f.get(0))
        .ok_or(FileError::NoneChosen)?;
    if file.size() > max_bytes as f64 {
        return Err(FileError::TooLarge(format!(
            "{:.1}",
            file.size() / 1_048_576.0
        )));
    }
    Ok(file)
}

/// The text (UTF-8) of the file chosen in `input`, refused beyond `max_bytes`.
pub async fn read_file_text(
    input: &leptos::web_sys::HtmlInputElement,
    max_bytes: usize,
) -> Result<String, FileError> {
    #[cfg(feature = "csr")]
    {
        let file = chosen_file(input, max_bytes)?;
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .map_err(|_| FileError::Unreadable)?;
        text.as_string().ok_or(FileError::Unreadable)
    }
    #[cfg(not(feature = "csr"))]
    {
        let _ = (input, max_bytes);
        Err(FileError::Unreadable)
    }
}

/// The name and bytes of the file chosen in `input`, refused beyond `max_bytes`.
pub async fn read_file_bytes(
    input: &leptos::web_sys::HtmlInputElement,
    max_bytes: usize,
) -> Result<(String, Vec<u8>), FileError> {
    #[cfg(feature = "csr")]
    {
        let file = chosen_file(input, max_bytes)?;
        let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| FileError::Unreadable)?;
        Ok((
            file.name(),
            leptos::web_sys::js_sys::Uint8Array::new(&buf).to_vec(),
        ))
    }
    #[cfg(not(feature = "csr"))]
    {
        let _ = (input, max_bytes);
        Err(FileError::Unreadable)
    }
}

/// Horizontal bars drawn as SVG: one row per item, the value written at the end of the bar.
#[component]
pub fn BarChart(
    items: Vec<(String, f64)>,
    max: f64,
    suffix: &'static str,
    label: String,
) -> impl IntoView {
    let row = 28.0;
    let height = row * items.len() as f64 + 4.0;
    let max = if max > 0.0 { max } else { 1.0 };
    view! {
        <svg class="chart" viewBox=format!("0 0 600 {height}") role="img" aria-label=label preserveAspectRatio="xMinYMin meet">
            {items.into_iter().enumerate().map(|(i, (name, v))| {
                let y = 2.0 + i as f64 * row;
                let w = (v / max * 300.0).max(1.0);
                view! {
                    <g>
                        <text x="0" y=y + 18.0 class="chart-label">{name}</text>
                        <rect x="230" y=y + 4.0 width=w height=row - 8.0 rx="3" class="chart-bar"/>
                        <text x=236.0 + w y=y + 18.0 class="chart-value">{format!("{v}{suffix}")}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}
