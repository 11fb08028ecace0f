//! The app's areas and the browser bundles that carry them.
//!
//! A release build (`scripts/build.sh`) makes one WebAssembly bundle per area, each with the
//! shared shell (header, login, registration, account, not-found) and that area's pages only, so
//! a resident opening the calendar does not download the map and organisation editors. The server
//! answers a navigation with the entry page of the path's area (`Area::entry_page`); a link from
//! one area to another is followed by the router, which finds the path belongs elsewhere
//! (`Area::is_here` false) and reloads the page so the server sends the right bundle.
//!
//! A build without a `bundle-*` feature (`trunk serve`, the tests' native builds) carries every area.

/// A part of the app with its own browser bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `/map`: the grid map, its editor and importers; and `/field`, field reports. Everyone goes to the map after logging in,
    /// so its bundle also answers the paths outside any area (`/`, `/login`, …): a login is one
    /// page load.
    Map,
    /// `/orgs`: the organisation tree, its editor, importers and the chart.
    Orgs,
    /// `/events`: the calendar, event pages, check-in desk and iCalendar import; and `/services`,
    /// service matching (lists, wishes, hours).
    Events,
    /// `/admin`: accounts, scopes, settings and backups.
    Admin,
}

/// The area this bundle was built for; `None` when it carries them all.
pub const BUNDLE: Option<Area> = if cfg!(feature = "bundle-map") {
    Some(Area::Map)
} else if cfg!(feature = "bundle-orgs") {
    Some(Area::Orgs)
} else if cfg!(feature = "bundle-events") {
    Some(Area::Events)
} else if cfg!(feature = "bundle-admin") {
    Some(Area::Admin)
} else {
    None
};

impl Area {
    pub const ALL: [Area; 4] = [Area::Map, Area::Orgs, Area::Events, Area::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Map => "map",
            Area::Orgs => "orgs",
            Area::Events => "events",
            Area::Admin => "admin",
        }
    }

    /// The area a path (without query) belongs to; `None` for the shell's pages (`/`, `/login`,
    /// `/register`, `/account`) and unknown paths, which every bundle can show.
    pub fn of_path(path: &str) -> Option<Area> {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        // Service matching (`/services`) travels with the events: the community's life.
        if first == "services" {
            return Some(Area::Events);
        }
        // Field reports (`/field`) travel with the map they sit on; so does the staff overview.
        if first == "field" || first == "overview" {
            return Some(Area::Map);
        }
        Area::ALL.into_iter().find(|a| a.as_str() == first)
    }

    /// The file (in the built app's folder) the server answers a navigation to `path` with.
    pub fn entry_page(path: &str) -> String {
        format!("{}.html", Area::of_path(path).unwrap_or(Area::Map).as_str())
    }

    /// Whether this bundle carries the area's pages. A constant in every build, so the pages of
    /// other areas are left out of the bundle.
    pub const fn is_here(self) -> bool {
        match BUNDLE {
            None => true,
            Some(b) => b as u8 == self as u8,
        }
    }

    /// Whether `path` is a page of an area this bundle does not carry (to be loaded in full).
    pub fn is_elsewhere(path: &str) -> bool {
        Area::of_path(path).is_some_and(|a| !a.is_here())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_belong_to_their_area() {
        assert_eq!(Area::of_path("/map"), Some(Area::Map));
        assert_eq!(Area::of_path("/orgs/chart"), Some(Area::Orgs));
        assert_eq!(Area::of_path("/events/12/edit"), Some(Area::Events));
        assert_eq!(Area::of_path("/admin"), Some(Area::Admin));
        assert_eq!(Area::of_path("/field/7"), Some(Area::Map));
        for shell in [
            "/",
            "",
            "/login",
            "/register",
            "/account",
            "/nowhere",
            "/mapx",
            "/maps/1",
        ] {
            assert_eq!(Area::of_path(shell), None, "{shell}");
        }
    }

    #[test]
    fn the_shell_is_answered_by_the_map_bundle_where_a_login_leads() {
        assert_eq!(Area::entry_page("/events/3"), "events.html");
        assert_eq!(Area::entry_page("/orgs/chart"), "orgs.html");
        assert_eq!(Area::entry_page("/login"), "map.html");
        assert_eq!(Area::entry_page("/"), "map.html");
    }

    #[test]
    fn a_build_without_bundle_feature_carries_every_area() {
        // The native test build has no `bundle-*` feature.
        assert_eq!(BUNDLE, None);
        assert!(Area::ALL.into_iter().all(Area::is_here));
        assert!(!Area::is_elsewhere("/orgs/chart") && !Area::is_elsewhere("/login"));
    }
}
