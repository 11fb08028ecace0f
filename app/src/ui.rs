//! Small shared pieces of UI.

use crate::api::AppError;
use crate::i18n::use_i18n;
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status" aria-live="polite">{move || i18n.t("common.loading")}</p> }
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
