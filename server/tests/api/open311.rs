//! Open311 GeoReport v2 over the field reports, checked against the specification's field lists
//! (http://wiki.open311.org/GeoReport_v2): the service list, filing a request with a session or
//! an API key, reading requests (one, by filter) with personal numbers masked, and the
//! specification's error shape for what is refused.

use crate::common::*;
use axum::body::Body;
use axum::http::Request;

/// GeoReport v2's fields of a service and of a request.
const SERVICE_FIELDS: [&str; 7] = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
];
const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

/// A city system posting a form (no browser headers), or the app's own user with a cookie.
async fn post(app: &TestApp, form: &str, cookie: Option<&str>) -> Reply {
    let mut b = Request::post("/open311/v2/requests.json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080");
    if let Some(c) = cookie {
        b = b
            .header(header::COOKIE, c)
            .header("sec-fetch-site", "same-origin");
    }
    app.send(b.body(Body::from(form.to_owned())).unwrap()).await
}

#[tokio::test]
async fn city_systems_read_and_file_reports_the_georeport_way() {
    let app = spawn().await;
    let services = app.get("/open311/v2/services.json").await;
    assert_eq!(services.status, StatusCode::OK);
    let services = services.json();
    let list = services.as_array().unwrap();
    assert_eq!(list.len(), 6);
    for s in list {
        for f in SERVICE_FIELDS {
            assert!(s.get(f).is_some(), "service lacks {f}: {s}");
        }
        assert_eq!(s["type"], "realtime");
    }
    let code = list
        .iter()
        .find(|s| s["service_name"] == "市政设施")
        .unwrap()["service_code"]
        .as_str()
        .unwrap()
        .to_owned();

    let at = app
        .db
        .grid_boundary("32011300100101001")
        .await
        .unwrap()
        .unwrap()
        .label_point();
    let form = |extra: &str| {
        format!(
            "service_code={code}&lat={}&long={}&description={}{extra}",
            at[1],
            at[0],
            enc("井盖松动，联系人电话13912345678")
        )
    };
    // Nobody named: refused in GeoReport's error shape, nothing kept.
    let before = fingerprint(&app.db).await;
    let r = post(&app, &form(""), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()[0]["code"], 403);
    let r = post(&app, &form(&format!("&api_key={}", "0".repeat(64))), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "an unknown key");
    assert_eq!(fingerprint(&app.db).await, before);

    // A city system with its key (issued by `linli user api-key`).
    let hotline = user(&app.db, "hotline12345", domain::Role::Resident, "320113001").await;
    let key = app.db.add_api_key(hotline).await.unwrap();
    let before = fingerprint(&app.db).await;
    let r = post(
        &app,
        &format!("service_code={code}&lat=91&long=200&description=x&api_key={key}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()[0]["description"]
        .as_str()
        .unwrap()
        .contains("field.err.place"));
    let r = post(
        &app,
        &format!(
            "service_code=999&lat={}&long={}&description=x&api_key={key}",
            at[1], at[0]
        ),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(fingerprint(&app.db).await, before, "refusals keep nothing");
    let r = post(&app, &form(&format!("&api_key={key}")), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A resident through the app's session.
    let jumin = app.login("jumin").await;
    let r = post(&app, &form(""), Some(&jumin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Read back: every GeoReport field, the grid as address_id, the phone masked.
    let one = app.get(&format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(one.status, StatusCode::OK);
    let one = one.json();
    let req = &one[0];
    for f in REQUEST_FIELDS {
        assert!(req.get(f).is_some(), "request lacks {f}: {req}");
    }
    assert_eq!(req["status"], "open");
    assert_eq!(req["service_code"], code.as_str());
    assert_eq!(req["address_id"], "32011300100101001");
    assert_eq!(req["description"], "井盖松动，联系人电话139******78");
    assert!(req["requested_datetime"]
        .as_str()
        .unwrap()
        .ends_with("+08:00"));
    assert!(!req.to_string().contains("hotline12345"), "no reporter");

    let all = app.get("/open311/v2/requests.json").await.json();
    assert_eq!(all.as_array().unwrap().len(), 2, "the last 90 days");
    let by_code = app
        .get(&format!(
            "/open311/v2/requests.json?service_code={code}&status=open"
        ))
        .await
        .json();
    assert_eq!(by_code.as_array().unwrap().len(), 2);
    let closed = app
        .get("/open311/v2/requests.json?status=closed")
        .await
        .json();
    assert_eq!(closed.as_array().unwrap().len(), 0);
    let later = app
        .get("/open311/v2/requests.json?start_date=2099-01-01T00:00:00Z")
        .await
        .json();
    assert_eq!(later.as_array().unwrap().len(), 0);
    for bad in [
        "start_date=yesterday",
        "status=pending",
        "service_code=abc",
        "service_request_id=1,x",
    ] {
        let r = app.get(&format!("/open311/v2/requests.json?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.json()[0]["code"], 400, "{bad}");
    }
    assert_eq!(
        app.get("/open311/v2/requests/999999.json").await.json(),
        serde_json::json!([])
    );
}
