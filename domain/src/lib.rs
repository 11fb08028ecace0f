//! Linli's domain rules. This crate does no IO and knows nothing of Leptos, HTTP or SQL:
//! the browser, the server and the storage layer all call into it, so a rule lives in one place.

pub mod account;
pub mod audit;
pub mod code;
pub mod date;
pub mod demo;
pub mod demo_field;
pub mod demo_service;
pub mod event;
pub mod field;
pub mod geometry;
pub mod grid;
pub mod grid_import;
pub mod history;
pub mod ics;
pub mod ics_import;
#[cfg(feature = "calendar-import")]
pub mod ics_zones;
pub mod mask;
pub mod org;
pub mod overview;
pub mod photo;
#[cfg(feature = "recurrence")]
pub mod recurrence;
pub mod role;
pub mod rsvp;
pub mod service;
pub mod session;
pub mod stats;
pub mod throttle;
#[cfg(feature = "calendar-import")]
pub mod windows_zones;

pub use account::{Password, PasswordPolicy, Username};
pub use code::Code;
pub use role::{Principal, Role};
