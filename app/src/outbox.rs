//! The phone's outbox (issue 21 §4): what is done on a phone — a field report, an action on a
//! report, a save of grid edits — is kept in the browser's IndexedDB until the server has it,
//! shown with its state (waiting, sending, failed with the reason), and sent when the network is
//! there — at start and on the `online` event (WeChat's and Safari's web views have no Background
//! Sync). Each item carries the key it was made with, so a retry after a lost answer does nothing
//! twice (the server finds the key), and the time it was made on the device, where a report's
//! clocks start. An action carries the report's version and a grid save each grid's version it
//! was made on: if someone changed them meanwhile, the server refuses and the item shows the
//! conflict — never a silent overwrite. A report's photo (already shrunk) travels in the same
//! request, so a report and its photo are never parted.
//!
//! Only the browser has an outbox; outside it (`ssr`, native tests) the store is empty and sending
//! is a no-op.

use crate::api::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an item in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sending {
    /// Kept on the phone; goes when the network is there.
    Waiting,
    /// On its way now.
    Sending,
    /// The server refused it (`reason`); it waits for the person (send again, or discard).
    Failed,
}

/// What an item asks the server to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Job {
    /// A new field report.
    Report {
        category: i64,
        category_name: String,
        description: String,
        lon: f64,
        lat: f64,
        fixed: bool,
        /// The shrunk photo as base64 (empty: none).
        photo: String,
    },
    /// An action on report `report` as it stood at `version` (`action`: a
    /// `domain::field::FieldAction` as JSON, `name` its name).
    Act {
        report: i64,
        version: i64,
        action: String,
        name: String,
    },
    /// A save of grid edits (a JSON list of `GridEdit`, each with the version it was made on).
    Grids { edits: String, count: usize },
}

/// Something done on this device and not yet accepted by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// The request key, made once on the device.
    pub key: String,
    /// Unix seconds on the device when it was done.
    pub made_at: i64,
    pub state: Sending,
    /// Why it failed, or why the last try did not get through.
    pub reason: Option<AppError>,
    #[serde(flatten)]
    pub job: Job,
}

impl Pending {
    /// A new item, waiting, with a new key.
    pub fn new(job: Job, made_at: i64) -> Pending {
        Pending {
            key: new_key(),
            made_at,
            state: Sending::Waiting,
            reason: None,
            job,
        }
    }
}

/// What the server accepted in this visit.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// Report number `id` was filed.
    Report(i64),
    /// An action on report `id` was done.
    Act(i64),
    /// `n` grid edits were saved.
    Grids(usize),
}

/// The outbox as the pages see it: its items and what was sent in this visit.
#[derive(Clone, Copy)]
pub struct Outbox {
    pub items: RwSignal<Vec<Pending>>,
    pub sent: RwSignal<Vec<Sent>>,
    busy: RwSignal<bool>,
    /// Asked to send while a round was under way: another round follows it.
    again: RwSignal<bool>,
}

/// A new idempotency key: 32 hex digits from the browser's random source (and the clock, where
/// there is none).
pub fn new_key() -> String {
    #[cfg(feature = "csr")]
    {
        let mut bytes = [0u8; 16];
        let crypto = window().crypto().ok();
        let filled = crypto
            .map(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok())
            .unwrap_or(false);
        if !filled {
            let t = crate::ui::now_ms() as u64;
            bytes[..8].copy_from_slice(&t.to_le_bytes());
            bytes[8..].copy_from_slice(&(web_sys::js_sys::Math::random().to_bits()).to_le_bytes());
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    #[cfg(not(feature = "csr"))]
    {
        "0123456789abcdef0123456789abcdef".into()
    }
}

impl Outbox {
    /// The app's one outbox (created at the first call, then shared through the context). Call
    /// it where a component is built, not inside a task (which has no owner to ask).
    pub fn get() -> Outbox {
        if let Some(o) = use_context::<Outbox>() {
            return o;
        }
        let o = Outbox {
            items: RwSignal::new(Vec::new()),
            sent: RwSignal::new(Vec::new()),
            busy: RwSignal::new(false),
            again: RwSignal::new(false),
        };
        provide_context(o);
        o
    }

    /// Loads the outbox, sends what waits, and sends again whenever the network comes back.
    pub fn start(self) {
        #[cfg(feature = "csr")]
        {
            use wasm_bindgen::JsCast;
            let on_online = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || self.flush());
            let _ = window()
                .add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
            on_online.forget();
        }
        self.flush();
    }

    /// Keeps `p` on the phone first, then tries to send it.
    pub fn add(self, p: Pending) {
        leptos::task::spawn_local(async move {
            if let Err(e) = idb::put(&p).await {
                leptos::logging::warn!("outbox: could not keep the item: {e}");
            }
            self.items.update(|i| i.push(p));
            self.flush();
        });
    }

    /// Whether a grid save waits here (the map saves nothing more until it is sent or dropped:
    /// the next save would be made on versions the waiting one is about to change).
    pub fn grids_waiting(self) -> bool {
        self.items
            .with(|i| i.iter().any(|p| matches!(p.job, Job::Grids { .. })))
    }

    /// A failed item goes back to waiting (the person asks to send it again).
    pub fn retry(self, key: String) {
        self.change(key, |p| {
            p.state = Sending::Waiting;
            p.reason = None;
        });
        self.flush();
    }

    /// Drops an item from the outbox (the person gives it up).
    pub fn discard(self, key: String) {
        leptos::task::spawn_local(async move {
            let _ = idb::remove(&key).await;
            self.items.update(|i| i.retain(|p| p.key != key));
        });
    }

    fn change(self, key: String, f: impl FnOnce(&mut Pending) + 'static) {
        let mut item = None;
        self.items.update(|i| {
            if let Some(p) = i.iter_mut().find(|p| p.key == key) {
                f(p);
                item = Some(p.clone());
            }
        });
        if let Some(p) = item {
            leptos::task::spawn_local(async move {
                let _ = idb::put(&p).await;
            });
        }
    }

    /// Sends every waiting item, oldest first, one after another; stops at the first that does
    /// not get through (the network is gone again). Asked while a round is under way, it runs
    /// another round after it, so an item added meanwhile is not left waiting.
    pub fn flush(self) {
        if self.busy.get_untracked() {
            self.again.set(true);
            return;
        }
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            // What is kept is the truth (another tab may have added); an item left "sending" by
            // a page closed mid-way is sent again: the key makes that harmless.
            let mut kept = idb::all()
                .await
                .unwrap_or_else(|_| self.items.get_untracked());
            kept.sort_by_key(|p| p.made_at);
            self.items.set(kept.clone());
            for p in kept.into_iter().filter(|p| p.state != Sending::Failed) {
                self.change(p.key.clone(), |x| x.state = Sending::Sending);
                match send(&p).await {
                    Ok(done) => {
                        let _ = idb::remove(&p.key).await;
                        self.items.update(|i| i.retain(|x| x.key != p.key));
                        self.sent.update(|s| s.push(done));
                    }
                    // Not through (no network, the server away, logged out): it waits.
                    Err(
                        e @ (AppError::Request(_) | AppError::Internal | AppError::Unauthenticated),
                    ) => {
                        self.change(p.key.clone(), move |x| {
                            x.state = Sending::Waiting;
                            x.reason = Some(e);
                        });
                        break;
                    }
                    Err(e) => {
                        self.change(p.key.clone(), move |x| {
                            x.state = Sending::Failed;
                            x.reason = Some(e);
                        });
                    }
                }
            }
            self.busy.set(false);
            if self.again.get_untracked() {
                self.again.set(false);
                self.flush();
            }
        });
    }
}

/// Sends one item with its key.
async fn send(p: &Pending) -> Result<Sent, AppError> {
    let key = p.key.clone();
    match &p.job {
        Job::Report {
            category,
            description,
            lon,
            lat,
            fixed,
            photo,
            ..
        } => crate::api::field::field_report_in(
            key,
            *category,
            description.clone(),
            *lon,
            *lat,
            p.made_at,
            *fixed,
            photo.clone(),
        )
        .await
        .map(Sent::Report),
        Job::Act {
            report,
            version,
            action,
            ..
        } => crate::api::field::field_act(*report, *version, action.clone(), key)
            .await
            .map(|_| Sent::Act(*report)),
        Job::Grids { edits, count } => crate::api::grids::grids_save(edits.clone(), key)
            .await
            .map(|_| Sent::Grids(*count)),
    }
}

/// The outbox's object store (`linli` database, `outbox` store, keyed by the idempotency key,
/// each item kept as its JSON).
#[cfg(feature = "csr")]
mod idb {
    use super::Pending;
    use leptos::prelude::window;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::js_sys;
    use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

    const STORE: &str = "outbox";

    fn text(e: JsValue) -> String {
        format!("{e:?}")
    }

    /// Waits for a request's answer.
    async fn answer(req: &IdbRequest) -> Result<JsValue, String> {
        let r = req.clone();
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            let r2 = r.clone();
            let ok = Closure::once_into_js(move || {
                let _ = resolve.call1(&JsValue::NULL, &r2.result().unwrap_or(JsValue::UNDEFINED));
            });
            let err = Closure::once_into_js(move || {
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("request failed"));
            });
            r.set_onsuccess(Some(ok.unchecked_ref()));
            r.set_onerror(Some(err.unchecked_ref()));
        });
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(text)
    }

    async fn open() -> Result<IdbDatabase, String> {
        let factory = window().indexed_db().map_err(text)?.ok_or("no IndexedDB")?;
        let req = factory.open_with_u32("linli", 1).map_err(text)?;
        let r = req.clone();
        let upgrade = Closure::once_into_js(move || {
            if let Ok(db) = r.result().map(|d| d.unchecked_into::<IdbDatabase>()) {
                if !db.object_store_names().contains(STORE) {
                    let _ = db.create_object_store(STORE);
                }
            }
        });
        req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
        Ok(answer(&req).await?.unchecked_into())
    }

    async fn store(mode: IdbTransactionMode) -> Result<web_sys::IdbObjectStore, String> {
        let db = open().await?;
        let tx = db
            .transaction_with_str_and_mode(STORE, mode)
            .map_err(text)?;
        tx.object_store(STORE).map_err(text)
    }

    pub async fn all() -> Result<Vec<Pending>, String> {
        let req = store(IdbTransactionMode::Readonly)
            .await?
            .get_all()
            .map_err(text)?;
        let list: js_sys::Array = answer(&req).await?.unchecked_into();
        Ok(list
            .iter()
            .filter_map(|v| v.as_string())
            .filter_map(|s| serde_json::from_str(&s).ok())
            .collect())
    }

    pub async fn put(p: &Pending) -> Result<(), String> {
        let json = serde_json::to_string(p).map_err(|e| e.to_string())?;
        let req = store(IdbTransactionMode::Readwrite)
            .await?
            .put_with_key(&JsValue::from_str(&json), &JsValue::from_str(&p.key))
            .map_err(text)?;
        answer(&req).await.map(|_| ())
    }

    pub async fn remove(key: &str) -> Result<(), String> {
        let req = store(IdbTransactionMode::Readwrite)
            .await?
            .delete(&JsValue::from_str(key))
            .map_err(text)?;
        answer(&req).await.map(|_| ())
    }
}

/// Outside the browser there is nothing kept.
#[cfg(not(feature = "csr"))]
mod idb {
    use super::Pending;
    pub async fn all() -> Result<Vec<Pending>, String> {
        Ok(Vec::new())
    }
    pub async fn put(_: &Pending) -> Result<(), String> {
        Ok(())
    }
    pub async fn remove(_: &str) -> Result<(), String> {
        Ok(())
    }
}
