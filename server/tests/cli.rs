//! The `linli` binary as an operator uses it: user add, demo, backup, migrate, and serve with a
//! graceful stop on SIGTERM.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_linli");

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "linli_cli_{tag}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn linli(db: &str, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("LINLI_DATABASE_URL", db)
        .env("LINLI_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn user_add_checks_its_input() {
    let dir = temp_dir("user");
    let db = format!("sqlite://{}/l.db", dir.display());
    let (ok, out) = linli(
        &db,
        &[
            "user",
            "add",
            "--username",
            "root",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("Str0ng-Enough-Pass\n"),
    );
    assert!(ok, "{out}");
    assert!(out.contains("user root added as admin"));
    let (ok, out) = linli(
        &db,
        &[
            "user",
            "add",
            "--username",
            "root",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("Str0ng-Enough-Pass\n"),
    );
    assert!(!ok && out.contains("already exists"), "{out}");
    let (ok, out) = linli(
        &db,
        &[
            "user",
            "add",
            "--username",
            "boss",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!ok && out.contains("password"), "{out}");
    let (ok, out) = linli(
        &db,
        &[
            "user",
            "add",
            "--username",
            "wizard1",
            "--role",
            "wizard",
            "--password-stdin",
        ],
        Some("Str0ng-Enough-Pass\n"),
    );
    assert!(!ok && out.contains("--role"), "{out}");
    let (ok, out) = linli(
        &db,
        &[
            "user",
            "add",
            "--username",
            "org",
            "--role",
            "organiser",
            "--password-stdin",
        ],
        Some("Str0ng-Enough-Pass\n"),
    );
    assert!(
        !ok && out.contains("scope"),
        "an organiser needs a scope: {out}"
    );
    let (ok, out) = linli(
        &db,
        &[
            "user",
            "add",
            "--username",
            "res",
            "--role",
            "resident",
            "--scope",
            "320113001001",
        ],
        None,
    );
    assert!(!ok && out.contains("--password-stdin"), "{out}");
}

#[test]
fn demo_then_backup_then_refuse_a_second_demo() {
    let dir = temp_dir("backup");
    let db = format!("sqlite://{}/l.db", dir.display());
    let (ok, out) = linli(&db, &["demo"], None);
    assert!(ok, "{out}");
    assert!(out.contains("demo loaded: 44 grids"), "{out}");
    let (ok, out) = linli(&db, &["demo"], None);
    assert!(!ok && out.contains("already holds data"), "{out}");
    let (ok, out) = linli(&db, &["demo", "--scale", "huge"], None);
    assert!(!ok && out.contains("--scale"), "{out}");
    let to = dir.join("copy.db");
    let (ok, out) = linli(&db, &["backup", "--to", to.to_str().unwrap()], None);
    assert!(ok, "{out}");
    assert!(out.contains("verified"));
    let (ok, out) = linli(&db, &["backup", "--to", to.to_str().unwrap()], None);
    assert!(!ok && out.contains("already exists"), "{out}");
    // Both pass the integrity and invariant check.
    for url in [db.clone(), format!("sqlite://{}", to.display())] {
        let (ok, out) = linli(&url, &["check"], None);
        assert!(ok && out.trim() == "ok", "{out}");
    }
    // The copy is a working database.
    let (ok, out) = linli(&format!("sqlite://{}", to.display()), &["migrate"], None);
    assert!(ok, "{out}");
    let (ok, out) = linli(&format!("sqlite://{}", to.display()), &["demo"], None);
    assert!(!ok && out.contains("already holds data"), "{out}");
}

/// Every row of every table, as text, for comparing two SQLite databases.
fn dump(path: &std::path::Path) -> String {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sqlite3, sys\n\
             c = sqlite3.connect(sys.argv[1])\n\
             for (t,) in c.execute(\"SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name\"):\n\
             \x20   print(t, sorted(map(repr, c.execute(f'SELECT * FROM \"{t}\"'))))",
        )
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn backup_then_restore_into_a_fresh_database_gives_the_same_rows() {
    let dir = temp_dir("restore");
    let original = dir.join("l.db");
    let db = format!("sqlite://{}", original.display());
    assert!(linli(&db, &["demo"], None).0);
    let copy = dir.join("copy.db");
    let (ok, out) = linli(&db, &["backup", "--to", copy.to_str().unwrap()], None);
    assert!(ok, "{out}");

    let fresh = dir.join("fresh/restored.db");
    let fresh_url = format!("sqlite://{}", fresh.display());
    let (ok, out) = linli(
        &fresh_url,
        &["restore", "--from", copy.to_str().unwrap()],
        None,
    );
    assert!(ok && out.contains("restored"), "{out}");
    let (ok, out) = linli(&fresh_url, &["check"], None);
    assert!(ok && out.trim() == "ok", "{out}");
    assert_eq!(
        dump(&original),
        dump(&fresh),
        "the restored database has the same rows"
    );
    assert!(dump(&fresh).contains("audit_log"));

    // Never over data; never from something that is not a backup.
    let (ok, out) = linli(
        &fresh_url,
        &["restore", "--from", copy.to_str().unwrap()],
        None,
    );
    assert!(!ok && out.contains("already holds data"), "{out}");
    let junk = dir.join("junk.db");
    std::fs::write(&junk, "not a database at all").unwrap();
    let other = format!("sqlite://{}", dir.join("other.db").display());
    let (ok, out) = linli(&other, &["restore", "--from", junk.to_str().unwrap()], None);
    assert!(!ok && out.contains("not a Linli backup"), "{out}");
    assert!(!dir.join("other.db").exists() || linli(&other, &["check"], None).0);
}

/// The same on PostgreSQL: `linli backup` writes a pg_dump archive, `linli restore` puts it into a
/// new database, and every table holds the same rows.
#[test]
fn postgres_backup_then_restore_into_a_fresh_database_gives_the_same_rows() {
    let Ok(base) = std::env::var("LINLI_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("LINLI_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "LINLI_REQUIRE_POSTGRES=1 but LINLI_TEST_POSTGRES_URL is not set"
        );
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stamp = format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    );
    let (head, _) = base.rsplit_once('/').unwrap();
    let (src, dst) = (
        format!("{head}/bk_src_{stamp}"),
        format!("{head}/bk_dst_{stamp}"),
    );
    rt.block_on(async {
        let admin = store::Db::connect(&base).await.unwrap();
        for name in [format!("bk_src_{stamp}"), format!("bk_dst_{stamp}")] {
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(admin.pool())
                .await
                .unwrap();
        }
        admin.close().await;
    });
    assert!(linli(&src, &["demo"], None).0);
    let dir = temp_dir("pg_backup");
    let file = dir.join("linli.pgdump");
    let (ok, out) = linli(&src, &["backup", "--to", file.to_str().unwrap()], None);
    assert!(ok, "{out}");
    let (ok, out) = linli(&dst, &["restore", "--from", file.to_str().unwrap()], None);
    assert!(ok, "{out}");
    let (ok, out) = linli(&dst, &["check"], None);
    assert!(ok && out.trim() == "ok", "{out}");
    let digest = |url: String| {
        rt.block_on(async move {
            let db = store::Db::connect(&url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
            )
            .fetch_all(db.pool())
            .await
            .unwrap();
            let mut out = Vec::new();
            for t in tables {
                let d: String = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) || ':' || COALESCE(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM \"{t}\" x"
                ))
                .fetch_one(db.pool())
                .await
                .unwrap();
                out.push(format!("{t} {d}"));
            }
            db.close().await;
            out
        })
    };
    let (a, b) = (digest(src.clone()), digest(dst.clone()));
    assert!(
        a.len() > 10 && a.iter().any(|l| l.starts_with("grid ")),
        "{a:?}"
    );
    assert_eq!(a, b, "the restored database has the same rows");
    // Never into a database that holds tables; never from a file that is not an archive.
    let (ok, out) = linli(&dst, &["restore", "--from", file.to_str().unwrap()], None);
    assert!(!ok && out.contains("already holds tables"), "{out}");
    let (ok, out) = linli(&dst, &["restore", "--from", "/etc/hostname"], None);
    assert!(!ok && out.contains("not a pg_dump archive"), "{out}");
}

#[test]
fn bad_database_urls_get_a_clear_message() {
    let (ok, out) = linli("mysql://nowhere/db", &["migrate"], None);
    assert!(!ok && out.contains("unsupported database URL"), "{out}");
}

#[cfg(unix)]
#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() {
    let dir = temp_dir("serve");
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    std::fs::write(
        dir.join("dist/index.html"),
        "<!DOCTYPE html><title>t</title>",
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--dist",
            dir.join("dist").to_str().unwrap(),
        ])
        .env(
            "LINLI_DATABASE_URL",
            format!("sqlite://{}/l.db", dir.display()),
        )
        .env("LINLI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let healthy = loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Read;
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            if out.starts_with("HTTP/1.1 200") {
                break true;
            }
        }
        if start.elapsed() > Duration::from_secs(60) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(healthy, "server did not become healthy");
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "graceful stop exits 0, got {status}");
    let mut out = String::new();
    use std::io::Read;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(
        out.contains(&format!("open http://127.0.0.1:{port}")) && out.contains("linli-demo-2026"),
        "{out}"
    );
}

#[test]
fn the_level_set_is_chosen_per_deployment() {
    let dir = temp_dir("levels");
    let db = format!("sqlite://{}/l.db", dir.display());
    let (ok, out) = linli(&db, &["org-levels", "four"], None);
    assert!(ok, "{out}");
    assert!(
        out.contains("社区党组织 → 网格党支部 → 楼栋党小组 → 党员中心户"),
        "{out}"
    );
    let custom = dir.join("levels.json");
    std::fs::write(&custom, "{\"levels\": [{\"key\": \"a\"}]}").unwrap();
    let (ok, out) = linli(&db, &["org-levels", custom.to_str().unwrap()], None);
    assert!(
        !ok && out.contains("five, four or a JSON level set"),
        "{out}"
    );
    let (ok, out) = linli(&db, &["org-levels", "five"], None);
    assert!(ok, "{out}");
    let (ok, out) = linli(&db, &["demo"], None);
    assert!(ok, "{out}");
    let (ok, out) = linli(&db, &["org-levels", "four"], None);
    assert!(
        !ok && out.contains("working-committee"),
        "units of a level the new set lacks: {out}"
    );
}

#[test]
fn the_district_code_is_set_from_the_command_line_and_checked() {
    let dir = temp_dir("district");
    let db = format!("sqlite://{}/d.db", dir.display());
    let (ok, out) = linli(&db, &["district", "3201"], None);
    assert!(!ok && out.contains("six digits"), "{out}");
    let (ok, out) = linli(&db, &["district", "990101"], None);
    assert!(!ok && out.contains("no province"), "{out}");
    let (ok, out) = linli(&db, &["district", "320113"], None);
    assert!(ok && out.contains("district code: 320113"), "{out}");
}
