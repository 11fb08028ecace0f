//! Photos attached to micro-wishes: the wish's own (posted with it) and the fulfilment's (the
//! claimant's proof). The browser shrinks a photo before sending it (base64 in a form field, well
//! inside the API's body limit); the server reads what arrived (`domain::photo::check`), drops its
//! metadata and keeps it. Who may add and who may see one is `domain::service::wish::PhotoPurpose`'s
//! rule; `/photo/{id}` serves a photo only to those (`readable`).

use super::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

/// A photo the viewer may see, for `<img src="/photo/{id}">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub id: i64,
    /// `wish` or `fulfilment`.
    pub purpose: String,
    /// The viewer uploaded it (and may remove it while the wish allows).
    pub mine: bool,
}

#[cfg(feature = "ssr")]
pub mod ssr_photos {
    use super::*;
    use domain::service::wish::{PhotoPurpose, Relation, WishState};
    use domain::Principal;

    pub fn relation(p: &Principal, w: &store::services::Wish) -> Relation {
        Relation {
            owner: w.owner_id == Some(p.user_id),
            claimant: w.claimant_id == Some(p.user_id),
            manager: crate::api::services::ssr_services::may_manage(p, &w.unit_code),
        }
    }

    pub fn wish_id(subject: &str) -> Option<i64> {
        subject.strip_prefix("wish:")?.parse().ok()
    }

    /// Adds to each wish the photos `p` may see of it.
    pub async fn with_photos(
        db: &store::Db,
        p: &Principal,
        mut views: Vec<crate::api::services::WishView>,
    ) -> Result<Vec<crate::api::services::WishView>, AppError> {
        let subjects: Vec<String> = views.iter().map(|w| format!("wish:{}", w.id)).collect();
        let photos = db.photos_of(&subjects).await?;
        for ph in photos {
            let Some(v) = wish_id(&ph.subject).and_then(|id| views.iter_mut().find(|v| v.id == id))
            else {
                continue;
            };
            let (Some(purpose), Some(state)) =
                (PhotoPurpose::parse(&ph.purpose), WishState::parse(&v.state))
            else {
                continue;
            };
            let rel = Relation {
                owner: v.mine,
                claimant: v.claimed_by_me,
                manager: v.can_manage,
            };
            if purpose.visible(state, rel) {
                v.photos.push(PhotoRef {
                    id: ph.id,
                    purpose: ph.purpose,
                    mine: ph.owner_id == Some(p.user_id),
                });
            }
        }
        Ok(views)
    }

    /// A photo sent as base64 (`data`), read from its own header with its metadata dropped.
    pub fn decode(data: &str) -> Result<(Vec<u8>, domain::photo::PhotoInfo), AppError> {
        use domain::photo;
        // Base64 is 4 characters per 3 bytes: a text this long cannot hold an acceptable photo.
        if data.len() > photo::MAX_BYTES / 3 * 4 + 8 {
            return Err(AppError::Invalid(photo::PhotoError::TooLarge.key().into()));
        }
        let bytes = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|_| AppError::Invalid(photo::PhotoError::NotAPhoto.key().into()))?
        };
        let clean = photo::strip_metadata(&bytes);
        let info = photo::check(&clean).map_err(|e| AppError::Invalid(e.key().into()))?;
        Ok((clean, info))
    }

    /// The photo `id` as `(mime, bytes)` when `p` may see it; `NotFound` otherwise (whether it
    /// exists is nobody else's business).
    pub async fn readable(
        db: &store::Db,
        p: &Principal,
        id: i64,
    ) -> Result<(String, Vec<u8>), AppError> {
        let meta = db.photo_meta(id).await?;
        if let Some(report) = crate::api::field::ssr_field::report_id(&meta.subject) {
            // A field report's photos: to whoever may see the report.
            let r = db.field_report(report).await?;
            let who = crate::api::field::ssr_field::standing(db, p, &r).await?;
            if !crate::api::field::ssr_field::may_see(p, &who, &r) {
                return Err(AppError::NotFound);
            }
            return Ok((meta.mime, db.photo_bytes(id).await?));
        }
        let wish = wish_id(&meta.subject).ok_or(AppError::NotFound)?;
        let w = db.wish(wish).await?;
        let visible = match (
            PhotoPurpose::parse(&meta.purpose),
            WishState::parse(&w.state),
        ) {
            (Some(purpose), Some(state)) => purpose.visible(state, relation(p, &w)),
            _ => false,
        };
        if !visible {
            return Err(AppError::NotFound);
        }
        Ok((meta.mime, db.photo_bytes(id).await?))
    }
}

/// Attaches a photo (`data`: the image in base64) to wish `wish` as `purpose` (`wish` by its
/// maker or the organiser before anyone claims it, `fulfilment` by the claimant or the organiser
/// while it is being fulfilled). Returns the photo's id.
#[server(prefix = "/api", endpoint = "service_wish_photo")]
pub async fn service_wish_photo(wish: i64, purpose: String, data: String) -> Result<i64, AppError> {
    use domain::service::wish::{PhotoPurpose, WishState};
    let p = require_user().await?;
    let purpose =
        PhotoPurpose::parse(purpose.trim()).ok_or(AppError::Invalid("err.photo_purpose".into()))?;
    let db = state()?.db;
    let w = db.wish(wish).await?;
    let rel = ssr_photos::relation(&p, &w);
    let state = WishState::parse(&w.state).ok_or(AppError::Internal)?;
    if !purpose.may_add(state, rel) {
        if rel.owner || rel.claimant || rel.manager {
            return Err(AppError::Conflict("err.photo_state".into()));
        }
        return Err(deny(&p, AuditAction::ServiceWishPhoto, AuditObject::Wish(wish)).await);
    }
    let (clean, info) = ssr_photos::decode(&data)?;
    let id = db
        .add_photo(
            &format!("wish:{wish}"),
            purpose.as_str(),
            Some(p.user_id),
            info,
            &clean,
            store::now(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::Invalid(_) => AppError::Conflict("err.photo_too_many".into()),
            e => e.into(),
        })?;
    audit(
        Some(&p),
        AuditAction::ServiceWishPhoto,
        AuditObject::Photo(id),
        AuditResult::Ok,
        &format!(
            "wish:{wish} {} {}x{}",
            purpose.as_str(),
            info.width,
            info.height
        ),
    )
    .await;
    Ok(id)
}

/// Removes a photo: its uploader while they could still add it, or the wish's organiser.
#[server(prefix = "/api", endpoint = "service_photo_delete")]
pub async fn service_photo_delete(id: i64) -> Result<(), AppError> {
    use domain::service::wish::{PhotoPurpose, WishState};
    let p = require_user().await?;
    let db = state()?.db;
    let meta = db.photo_meta(id).await?;
    let wish = ssr_photos::wish_id(&meta.subject).ok_or(AppError::NotFound)?;
    let w = db.wish(wish).await?;
    let rel = ssr_photos::relation(&p, &w);
    let still_open = match (
        PhotoPurpose::parse(&meta.purpose),
        WishState::parse(&w.state),
    ) {
        (Some(purpose), Some(state)) => purpose.may_add(state, rel),
        _ => false,
    };
    let allowed = rel.manager || (meta.owner_id == Some(p.user_id) && still_open);
    if !allowed {
        return Err(deny(&p, AuditAction::ServicePhotoDelete, AuditObject::Photo(id)).await);
    }
    db.delete_photo(id).await?;
    audit(
        Some(&p),
        AuditAction::ServicePhotoDelete,
        AuditObject::Photo(id),
        AuditResult::Ok,
        &meta.subject,
    )
    .await;
    Ok(())
}
