//! Photos on micro-wishes, as a phone (or a script) sends them: checked from their own header,
//! stripped of EXIF before they are kept, served only to those who may see the wish, limited in
//! size and number; a refused upload changes nothing.

use crate::common::*;

const PHONE_PHOTO: &[u8] = include_bytes!("../photos/phone-photo.jpg");

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn upload(wish: i64, purpose: &str, data: &str) -> String {
    format!("wish={wish}&purpose={purpose}&data={}", enc(data))
}

#[tokio::test]
async fn a_wish_photo_loses_its_gps_and_is_seen_by_the_public_only_once_verified() {
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    let shuji = app.login("shuji").await;
    let dangyuan = app.login("dangyuan").await;
    let r = app
        .post(
            "service_post_wish",
            &format!(
                "unit_code=&title={}&description=&category=elderly&beneficiary=",
                enc("想要一台轮椅")
            ),
            Some(&jumin),
        )
        .await;
    let wish = r.json().as_i64().unwrap();

    // The phone's original (1.3 MB, 1.8 MB as base64) is over the API's body limit: the browser
    // shrinks it first. Nothing is kept.
    let before = fingerprint(&app.db).await;
    let r = app
        .post(
            "service_wish_photo",
            &upload(wish, "wish", &b64(PHONE_PHOTO)),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    // Under the body limit but over what is kept; not an image; an SVG with a script; bad base64.
    let mut big = SMALL_PHOTO.to_vec();
    big.resize(700 * 1024, 0);
    for (data, key) in [
        (b64(&big), "err.photo_too_large"),
        (b64(b"GIF89a\x01\x00\x01\x00"), "err.photo_not_photo"),
        (
            b64(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
            "err.photo_not_photo",
        ),
        ("@@not base64@@".into(), "err.photo_not_photo"),
    ] {
        let r = app
            .post(
                "service_wish_photo",
                &upload(wish, "wish", &data),
                Some(&jumin),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{key}: {}", r.body);
        assert!(r.body.contains(key), "{key}: {}", r.body);
    }
    let r = app
        .post(
            "service_wish_photo",
            &upload(wish, "fulfilment", &small_photo_b64()),
            Some(&jumin),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "nothing to prove yet: {}",
        r.body
    );
    assert_eq!(fingerprint(&app.db).await, before, "refusals keep nothing");

    // The shrunk photo is kept without its EXIF (camera, time, GPS position).
    let r = app
        .post(
            "service_wish_photo",
            &upload(wish, "wish", &small_photo_b64()),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let photo = r.json().as_i64().unwrap();
    assert!(SMALL_PHOTO.windows(6).any(|w| w == b"HUAWEI"));
    let stored = app.db.photo_bytes(photo).await.unwrap();
    assert!(!stored.windows(4).any(|w| w == b"Exif"));
    assert!(!stored.windows(6).any(|w| w == b"HUAWEI"));
    assert_eq!(
        domain::photo::check(&stored).map(|i| (i.width, i.height)),
        Ok((640, 480))
    );
    let url = format!("/photo/{photo}");
    let r = app.get_with(&url, Some(&jumin)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(!r.body.contains("HUAWEI") && !r.body.contains("Exif"));
    // Not before the organiser verified the wish (with its photo): others get nothing, not even
    // whether it exists.
    assert_eq!(app.get(&url).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get_with(&url, Some(&dangyuan)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_with("/photo/999999", Some(&dangyuan)).await.status,
        StatusCode::NOT_FOUND
    );
    let desk = app.post("service_desk", "", Some(&shuji)).await.json();
    let waiting = desk["to_verify"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == wish)
        .unwrap()
        .clone();
    assert_eq!(waiting["photos"][0]["id"], photo, "the organiser sees it");
    assert_eq!(
        app.get_with(&url, Some(&shuji)).await.status,
        StatusCode::OK
    );
    let version = app.db.wish(wish).await.unwrap().version;
    let act = |v: i64, action: &str| {
        format!("id={wish}&version={v}&action={action}&reason=&note=&minutes=45")
    };
    let r = app
        .post("service_wish_action", &act(version, "verify"), Some(&shuji))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.get_with(&url, Some(&dangyuan)).await.status,
        StatusCode::OK
    );
    let wall = app
        .post("service_wishes", "community=", Some(&dangyuan))
        .await
        .json();
    let on_wall = wall
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == wish)
        .unwrap()
        .clone();
    assert_eq!(on_wall["photos"].as_array().unwrap().len(), 1);
    assert_eq!(on_wall["photos"][0]["mine"], false);

    // Three of a kind at most.
    for _ in 0..2 {
        let r = app
            .post(
                "service_wish_photo",
                &upload(wish, "wish", &small_photo_b64()),
                Some(&jumin),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app
        .post(
            "service_wish_photo",
            &upload(wish, "wish", &small_photo_b64()),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("err.photo_too_many"), "{}", r.body);

    // The member claims it and proves it fulfilled with a photo the public sees once fulfilled.
    let v = app.db.wish(wish).await.unwrap().version;
    let r = app
        .post("service_wish_action", &act(v, "claim"), Some(&dangyuan))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .post(
            "service_wish_photo",
            &upload(wish, "wish", &small_photo_b64()),
            Some(&jumin),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the wish is taken on: {}",
        r.body
    );
    let r = app
        .post("service_photo_delete", &format!("id={photo}"), Some(&jumin))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "nor taken back: {}",
        r.body
    );
    let r = app
        .post(
            "service_wish_photo",
            &upload(wish, "fulfilment", &small_photo_b64()),
            Some(&dangyuan),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let proof = r.json().as_i64().unwrap();
    let proof_url = format!("/photo/{proof}");
    let wangge = app.login("wangge").await;
    assert_eq!(
        app.get_with(&proof_url, Some(&wangge)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_with(&proof_url, Some(&jumin)).await.status,
        StatusCode::OK,
        "the wish-maker sees the proof"
    );
    let v = app.db.wish(wish).await.unwrap().version;
    let r = app
        .post("service_wish_action", &act(v, "fulfil"), Some(&dangyuan))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.get_with(&proof_url, Some(&wangge)).await.status,
        StatusCode::OK
    );

    // Her data export lists the photos she uploaded.
    let mine = app.get_with("/export/me.json", Some(&jumin)).await.json();
    assert_eq!(
        mine["photos"].as_array().unwrap().len(),
        3,
        "{}",
        mine["photos"]
    );
    assert_eq!(mine["photos"][0]["id"], photo);

    // Erasing the wish-maker's account deletes the photos she uploaded; the proof stays.
    let jumin_id = app.db.wish(wish).await.unwrap().owner_id.unwrap();
    app.db
        .erase_account(jumin_id, "2026-12-05T00:00")
        .await
        .unwrap();
    assert_eq!(
        app.get_with(&url, Some(&shuji)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_with(&proof_url, Some(&shuji)).await.status,
        StatusCode::OK
    );
}
