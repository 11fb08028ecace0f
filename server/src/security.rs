//! Cross-site request refusal and security headers.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Leptos server functions have no CSRF protection of their own. A state-changing request from a
/// browser carries `Sec-Fetch-Site` (modern browsers) or at least `Origin`; refuse it unless it
/// comes from this site. Requests with neither header are not from a browser page (curl, tests)
/// and cannot ride on a victim's cookies. An `Origin` must match scheme and host: `https` when the
/// server is published under an https `--public-url` (`https_only`), the proxy's
/// `X-Forwarded-Proto` when the proxy is trusted, else `http` (what `linli serve` itself speaks) —
/// so a page on `http://` cannot post to the `https://` site.
pub async fn refuse_cross_site(
    https_only: bool,
    trust_proxy: bool,
    req: Request<Body>,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let scheme = if https_only {
        "https"
    } else if trust_proxy {
        h.get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .filter(|p| *p == "https" || *p == "http")
            .unwrap_or("http")
    } else {
        "http"
    };
    let allowed = match (site, origin) {
        (Some(s), _) => s == "same-origin" || s == "none",
        (None, Some(o)) => host.is_some_and(|host| o == format!("{scheme}://{host}")),
        (None, None) => true,
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(origin = origin.unwrap_or(""), site = site.unwrap_or(""), path = %req.uri().path(), "cross-site request refused");
        (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
    }
}

/// The Content-Security-Policy under which the app works: scripts only from this origin plus the
/// exact inline bootstrap Trunk writes into `index.html` (allowed by its hash), WebAssembly
/// compilation, no plugins, no framing, no foreign connections.
/// The origin (`scheme://host[:port]`) of a tile URL template, if it is a usable one.
pub fn tile_origin(template: &str) -> Option<String> {
    let t = template.trim();
    let ok = ["{z}", "{x}", "{y}"].iter().all(|p| t.contains(p))
        && (t.starts_with("https://") || t.starts_with("http://"))
        && !t.contains(['\'', '"', ';', ' ', '<', '>']);
    if !ok {
        return None;
    }
    let scheme_end = t.find("://")? + 3;
    let host_end = t[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(t.len());
    (host_end > scheme_end).then(|| t[..host_end].to_owned())
}

/// The Content-Security-Policy: scripts by hash of Trunk's inline bootstraps (one per entry page
/// in `dist`, one page per area bundle), images also from the configured tile server's origin.
pub fn content_security_policy(dist: &Path, tile_url: Option<&str>) -> String {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dist)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "html"))
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    let mut hashes = String::new();
    for page in pages {
        let html = std::fs::read_to_string(page).unwrap_or_default();
        for digest in inline_script_digests(&html) {
            let source = format!(" 'sha256-{digest}'");
            if !hashes.contains(&source) {
                hashes.push_str(&source);
            }
        }
    }
    let tiles = tile_url
        .and_then(tile_origin)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data: blob:{tiles}; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The base64 SHA-256 of each inline `<script>` body of an HTML page.
fn inline_script_digests(html: &str) -> Vec<String> {
    let mut digests = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains(" src=") && !body.trim().is_empty() {
            digests.push(
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes())),
            );
        }
        rest = &after[body_start + close..];
    }
    digests
}

pub async fn headers(csp: String, secure: bool, req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), geolocation=(self), microphone=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

#[cfg(test)]
mod tile_tests {
    use super::*;

    #[test]
    fn tile_templates_need_placeholders_and_give_their_origin_to_the_csp() {
        assert_eq!(
            tile_origin("https://tiles.example.gov.cn:8443/osm/{z}/{x}/{y}.png").as_deref(),
            Some("https://tiles.example.gov.cn:8443")
        );
        assert_eq!(tile_origin("https://tiles.example/{z}/{x}.png"), None);
        assert_eq!(tile_origin("javascript:{z}{x}{y}"), None);
        assert_eq!(tile_origin("https://a/{z}/{x}/{y}.png; script-src *"), None);
        let dir = std::env::temp_dir().join(format!("linli-csp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
        let csp = content_security_policy(&dir, Some("https://t.example/{z}/{x}/{y}.png"));
        assert!(
            csp.contains("img-src 'self' data: blob: https://t.example;"),
            "{csp}"
        );
        assert!(content_security_policy(&dir, None).contains("img-src 'self' data: blob:;"));
    }
}
