//! PIPL over HTTP: a person downloads everything held about them and erases their account.

use crate::common::*;

#[tokio::test]
async fn a_resident_downloads_their_data_then_erases_the_account() {
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    assert_eq!(
        app.get_with("/export/me.json", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post("set_my_phone", "phone=13912345678", Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.get_with("/export/me.json", Some(&jumin)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert!(r.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let mine = r.json();
    assert_eq!(mine["account"]["username"], "jumin");
    assert_eq!(mine["phone"], "13912345678", "one's own phone in full");
    assert!(mine["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["action"] == "set_my_phone"));

    // Staff cannot erase themselves; a wrong password erases nothing.
    let shuji = app.login("shuji").await;
    let r = app
        .post("delete_my_account", "password=x", Some(&shuji))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post("delete_my_account", "password=wrong+password", Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.post("me", "", Some(&jumin)).await.json()["username"],
        "jumin"
    );

    let r = app
        .post(
            "delete_my_account",
            &format!("password={DEMO_PASSWORD}"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("linli_session=;"));
    assert_eq!(
        app.post("me", "", Some(&jumin)).await.body,
        "null",
        "the session ended"
    );
    let r = app
        .post(
            "login",
            &format!("username=jumin&password={DEMO_PASSWORD}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "the account is gone");

    // The administrator sees an anonymised, disabled row and the audit trail.
    let admin = app.login("admin").await;
    let users = app.post("admin_users", "", Some(&admin)).await.json();
    let erased = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == 4)
        .unwrap();
    assert_eq!(erased["display_name"], "已注销用户");
    assert_eq!(erased["username"], "erased-4");
    assert_eq!(erased["disabled"], true);
    let audit = app
        .post("admin_audit", "action=delete_my_account", Some(&admin))
        .await
        .json();
    let results: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["result"].as_str().unwrap())
        .collect();
    assert!(
        results.contains(&"ok") && results.contains(&"refused"),
        "{results:?}"
    );
    // Filters: by whom and with what result, and by local dates.
    let rows = app
        .post(
            "admin_audit",
            "action=&actor=jumin&result=refused",
            Some(&admin),
        )
        .await
        .json();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|a| a["actor"] == "jumin" && a["result"] == "refused"));
    let today = domain::event::LocalDateTime::from_unix(store::now());
    let r = app
        .post(
            "admin_audit",
            &format!("action=login&from={0}&to={0}", today.date()),
            Some(&admin),
        )
        .await
        .json();
    assert!(r.as_array().unwrap().len() >= 3, "today's logins");
    let r = app
        .post(
            "admin_audit",
            "action=login&from=2001-01-01&to=2001-01-31",
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(r.as_array().unwrap().len(), 0);
    let r = app
        .post("admin_audit", "action=&from=yesterday", Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Nothing personal is left in the account row.
    let phone: String = sqlx::query_scalar("SELECT phone FROM app_user WHERE id = 4")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(phone, "");
}
