//! Accounts and sessions: login, throttling, registration, password change, administration.

use crate::common::*;

#[tokio::test]
async fn login_sets_a_hardened_cookie_and_refuses_bad_credentials_alike() {
    let app = spawn().await;
    let r = app
        .post(
            "login",
            &format!("username=admin&password={DEMO_PASSWORD}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["role"], "admin");
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");

    let wrong = app
        .post("login", "username=admin&password=not-the-password", None)
        .await;
    let unknown = app
        .post("login", "username=nobody&password=not-the-password", None)
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (wrong.status, wrong.body.clone()),
        (unknown.status, unknown.body.clone()),
        "no hint whether the user exists"
    );
    assert!(wrong.body.contains("err.login_failed"));
    assert!(wrong.cookie().is_none());
}

#[tokio::test]
async fn login_is_throttled() {
    let app = spawn().await;
    for _ in 0..5 {
        let r = app
            .post("login", "username=jumin&password=wrong-password", None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    let r = app
        .post(
            "login",
            &format!("username=jumin&password={DEMO_PASSWORD}"),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the right password: {}",
        r.body
    );
    assert!(r.body.contains("Locked"));
    app.login("shuji").await;
    let refused = app
        .db
        .audit_entries(Some("login"), 50)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.result == "refused")
        .count();
    assert_eq!(refused, 6, "every refusal is audited");
}

#[tokio::test]
async fn anonymous_callers_are_refused_everywhere_but_login() {
    let app = spawn().await;
    for (endpoint, form) in [
        ("grids_list", ""),
        ("orgs_tree", ""),
        ("events_upcoming", "from=2026-11-01T00:00"),
        ("change_password", "current=a&new=b"),
        ("admin_users", ""),
        (
            "admin_create_user",
            "username=x&display_name=x&password=x&role=admin&scope=",
        ),
        ("admin_set_role", "id=1&role=resident&scope=1"),
        ("admin_set_disabled", "id=1&disabled=true"),
        ("admin_set_registration", "open=true"),
        ("admin_audit", "action="),
    ] {
        let r = app.post(endpoint, form, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{endpoint}: {}", r.body);
        assert!(r.body.contains("Unauthenticated"), "{endpoint}: {}", r.body);
    }
    let r = app.post("me", "", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "null"));
}

#[tokio::test]
async fn non_admins_cannot_administer() {
    let app = spawn().await;
    for user in ["jumin", "wangge", "shuji"] {
        let c = app.login(user).await;
        for (endpoint, form) in [
            ("admin_users", ""),
            (
                "admin_create_user",
                "username=mallory&display_name=x&password=correct-horse-1&role=admin&scope=",
            ),
            ("admin_set_role", "id=4&role=admin&scope="),
            ("admin_set_disabled", "id=1&disabled=true"),
            ("admin_set_registration", "open=false"),
            ("admin_audit", "action="),
        ] {
            let r = app.post(endpoint, form, Some(&c)).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{user} {endpoint}: {}",
                r.body
            );
        }
    }
    assert!(app.db.user_by_name("mallory").await.unwrap().is_none());
    assert_eq!(
        app.db.user_by_name("jumin").await.unwrap().unwrap().role,
        domain::Role::Resident
    );
    assert!(app.db.registration_open().await.unwrap());
    assert!(app
        .db
        .audit_entries(Some("admin_set_role"), 10)
        .await
        .unwrap()
        .iter()
        .all(|a| a.result == "refused"));
}

#[tokio::test]
async fn admins_manage_accounts() {
    let app = spawn().await;
    let c = app.login("admin").await;
    let r = app.post("admin_create_user", "username=zhangsan&display_name=%E5%BC%A0%E4%B8%89&password=correct-horse-1&role=grid-worker&scope=32011300100101", Some(&c)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let again = app
        .post(
            "admin_create_user",
            "username=ZhangSan&display_name=x&password=correct-horse-1&role=resident&scope=1",
            Some(&c),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let noscope = app
        .post(
            "admin_create_user",
            "username=lisi&display_name=x&password=correct-horse-1&role=organiser&scope=",
            Some(&c),
        )
        .await;
    assert_eq!(noscope.status, StatusCode::BAD_REQUEST);
    assert!(noscope.body.contains("err.scope"));
    let markup = app
        .post(
            "admin_create_user",
            "username=%3Cscript%3E&display_name=x&password=correct-horse-1&role=resident&scope=1",
            Some(&c),
        )
        .await;
    assert_eq!(markup.status, StatusCode::BAD_REQUEST);

    let worker = app
        .post("login", "username=zhangsan&password=correct-horse-1", None)
        .await
        .cookie()
        .unwrap();
    let r = app
        .post(
            "admin_set_role",
            &format!("id={id}&role=organiser&scope=320113001001"),
            Some(&c),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.post("me", "", Some(&worker)).await.body,
        "null",
        "a role change ends the user's sessions"
    );

    let r = app
        .post(
            "admin_set_disabled",
            &format!("id={id}&disabled=true"),
            Some(&c),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .post("login", "username=zhangsan&password=correct-horse-1", None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "disabled accounts cannot log in"
    );

    let me = app.db.user_by_name("admin").await.unwrap().unwrap().id;
    let r = app
        .post(
            "admin_set_disabled",
            &format!("id={me}&disabled=true"),
            Some(&c),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "admins cannot lock themselves out"
    );
}

#[tokio::test]
async fn sessions_rotate_at_login_and_end_at_logout() {
    let app = spawn().await;
    let first = app.login("jumin").await;
    let r = app
        .post(
            "login",
            &format!("username=jumin&password={DEMO_PASSWORD}"),
            Some(&first),
        )
        .await;
    let second = r.cookie().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        app.post("me", "", Some(&first)).await.body,
        "null",
        "the old session id is dead"
    );
    assert_eq!(
        app.post("me", "", Some(&second)).await.json()["username"],
        "jumin"
    );

    let r = app.post("logout", "", Some(&second)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        app.post("me", "", Some(&second)).await.body,
        "null",
        "replaying the cookie after logout fails"
    );
    assert_eq!(
        app.post("grids_list", "", Some(&second)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn password_change_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn().await;
    let a = app.login("jumin").await;
    let b = app.login("jumin").await;
    let r = app
        .post(
            "change_password",
            "current=wrong&new=a-new-secret-2026",
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post(
            "change_password",
            &format!("current={DEMO_PASSWORD}&new=123456"),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("err.password_short"));
    let r = app
        .post(
            "change_password",
            &format!("current={DEMO_PASSWORD}&new=a-new-secret-2026"),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let fresh = r.cookie().expect("this browser gets a new session");
    assert_eq!(app.post("me", "", Some(&b)).await.body, "null");
    assert_eq!(app.post("me", "", Some(&a)).await.body, "null");
    assert_eq!(
        app.post("me", "", Some(&fresh)).await.json()["username"],
        "jumin"
    );
}

#[tokio::test]
async fn residents_register_into_a_real_community_only_as_residents() {
    let app = spawn().await;
    let form = "username=newbie&display_name=%E5%B0%8F%E6%96%B0&password=correct-horse-1&community=320113001002&role=admin";
    let r = app.post("register", form, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["role"], "resident", "a smuggled role is ignored");
    assert!(r.cookie().is_some());
    let r = app
        .post(
            "register",
            "username=newbie&display_name=x&password=correct-horse-1&community=320113001002",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .post(
            "register",
            "username=other&display_name=x&password=correct-horse-1&community=999",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("err.community"));
    let r = app
        .post(
            "register",
            "username=other2&display_name=&password=correct-horse-1&community=320113001002",
            None,
        )
        .await;
    assert!(r.body.contains("err.display_name"));

    let c = app.login("admin").await;
    assert_eq!(
        app.post("admin_set_registration", "open=false", Some(&c))
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .post(
            "register",
            "username=third&display_name=x&password=correct-horse-1&community=320113001002",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.db.user_by_name("third").await.unwrap().is_none());
}
