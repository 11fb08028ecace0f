//! Where an event takes place: a grid (checked to exist) and a map point, shown and fed as GEO.

use crate::common::*;
use app::api::events::{EventCreate, EventInput};
use axum::http::StatusCode;

/// A meeting of the organiser's branch, in `grid` at `point` (either may be empty).
fn create(grid: &str, point: &str) -> EventCreate {
    EventCreate {
        unit_code: "320113001001".into(),
        input: EventInput {
            title: "院坝会".into(),
            category: "meeting".into(),
            location: "3号楼".into(),
            starts_at: "2030-06-01T19:00".into(),
            ends_at: "2030-06-01T20:00".into(),
            capacity: 20,
            visibility: "public".into(),
            grid_code: Some(grid.into()),
            point: Some(point.into()),
            ..EventInput::default()
        },
    }
}

#[tokio::test]
async fn an_event_can_sit_in_a_grid_at_a_point() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let grids = app.post("grids_list", "", Some(&shuji)).await.json();
    let grid = grids["grids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["level"] == 3)
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();

    // A grid without a point: the grid's centre is used; the event page links to the grid.
    let r = app.call(&create(&grid, ""), Some(&shuji)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    let d = app
        .post(
            "event_detail",
            &format!("id={id}&at=2030-06-01T19:00"),
            Some(&shuji),
        )
        .await
        .json();
    assert_eq!(d["grid_code"], grid.as_str());
    let point = d["point"].as_str().unwrap().to_owned();
    let [lon, lat]: [f64; 2] = {
        let v: Vec<f64> = point.split(',').map(|x| x.parse().unwrap()).collect();
        [v[0], v[1]]
    };
    assert!(
        (118.0..120.0).contains(&lon) && (31.0..33.0).contains(&lat),
        "{point}"
    );
    let ics = app.get(&format!("/feeds/events/{id}.ics")).await;
    assert!(
        ics.body.contains(&format!("GEO:{lat};{lon}\r\n")),
        "{}",
        ics.body
    );

    // A point without a grid: the smallest grid of the organiser's area holding it becomes the
    // event's grid; the point is kept (rounded to 1e-7°), full-width comma and all.
    let r = app
        .call(&create("", &point.replace(',', "，")), Some(&shuji))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    let d = app
        .post(
            "event_detail",
            &format!("id={id}&at=2030-06-01T19:00"),
            Some(&shuji),
        )
        .await
        .json();
    assert_eq!(d["point"], point.as_str());
    assert_eq!(d["grid_code"], grid.as_str());

    // Unknown grids and unreadable points are refused with a clear message; nothing is stored.
    let before = app.db.count_events().await.unwrap();
    for (grid, point, key) in [
        ("329999999999999", "", "err.event_grid"),
        ("not-a-code", "", "err.event_grid"),
        ("", "32.1", "err.event_point"),
        ("", "300,1", "err.event_point"),
        // Anywhere on Earth is not a place of this district.
        ("", "0,0", "err.event_point_outside"),
        // A point of the district outside the named grid.
        (grid.as_str(), "118.0,31.0", "err.event_point_outside"),
    ] {
        let r = app.call(&create(grid, point), Some(&shuji)).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{grid} {point}: {}",
            r.body
        );
        assert!(r.body.contains(key), "{key}: {}", r.body);
    }
    assert_eq!(app.db.count_events().await.unwrap(), before);
}

#[tokio::test]
async fn an_event_cannot_be_placed_in_another_community() {
    let app = spawn().await;
    let shuji = app.login("shuji").await; // organiser of 320113001001
    let grids = app.post("grids_list", "", Some(&shuji)).await.json();
    let grids = grids["grids"].as_array().unwrap();
    let foreign = grids
        .iter()
        .find(|g| g["level"] == 3 && !g["code"].as_str().unwrap().starts_with("320113001001"))
        .expect("a grid of another community");
    let code = foreign["code"].as_str().unwrap();
    let before = app.db.count_events().await.unwrap();
    // Named as the grid: refused as out of scope (403).
    let r = app.call(&create(code, ""), Some(&shuji)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Named only by a point inside it: not a place of the organiser's area.
    let ring = foreign["boundary"].as_str().unwrap();
    let ring = domain::geometry::compact_ring::decode(ring).expect("an encoded ring");
    let [lon, lat] = domain::geometry::quantise(domain::geometry::mean_point(&ring));
    let r = app
        .call(&create("", &format!("{lon},{lat}")), Some(&shuji))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("err.event_point_outside"), "{}", r.body);
    assert_eq!(app.db.count_events().await.unwrap(), before);
}
