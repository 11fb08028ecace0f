//! Importing grids (`grid_import`) from an RFC 7946 GeoJSON FeatureCollection: reading the features, mapping their
//! properties to grid fields, converting Chinese web-map coordinates (GCJ-02, BD-09) to WGS84, and
//! a report of every problem before anything is stored. Runs in the browser (preview) and the
//! rules it produces are checked again by the server on commit.

use crate::geometry::{Boundary, Part, Ring, MAX_VERTICES};
use crate::grid::GridDraft;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod crs;
mod plan;
pub use crs::*;
pub use plan::*;

/// The largest file the importer reads.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The most features one import may hold.
pub const MAX_FEATURES: usize = 10_000;

// --- reading ------------------------------------------------------------------------------------

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("file too large")]
    TooLarge,
    #[error("not JSON")]
    NotJson,
    #[error("not a FeatureCollection")]
    NotCollection,
    #[error("too many features")]
    TooMany,
    #[error("no features")]
    Empty,
    #[error("too many vertices")]
    TooManyVertices,
}

impl ReadError {
    pub fn key(&self) -> &'static str {
        match self {
            ReadError::TooLarge => "import.too_large",
            ReadError::NotJson => "import.not_json",
            ReadError::NotCollection => "import.not_collection",
            ReadError::TooMany => "import.too_many",
            ReadError::Empty => "import.empty",
            ReadError::TooManyVertices => "import.too_many_vertices",
        }
    }
}

/// One feature as read: its properties as text and its boundary (parts, outer rings and holes,
/// as the file has them), or why it has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawFeature {
    pub properties: Vec<(String, String)>,
    pub boundary: Result<Boundary, String>,
}

impl RawFeature {
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn ring_of(v: &Value) -> Option<Ring> {
    v.as_array()?
        .iter()
        .map(|p| {
            let a = p.as_array()?;
            match (a.first()?.as_f64(), a.get(1)?.as_f64()) {
                (Some(x), Some(y)) => Some([x, y]),
                _ => None,
            }
        })
        .collect()
}

fn part_of(v: &Value) -> Option<Part> {
    let rings: Part = v.as_array()?.iter().map(ring_of).collect::<Option<_>>()?;
    (!rings.is_empty()).then_some(rings)
}

/// The feature's boundary (a Polygon's one part, a MultiPolygon's parts, holes kept), or the
/// translation key of why it is not importable.
fn geometry_boundary(g: &Value) -> Result<Boundary, String> {
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = g.get("coordinates");
    let parts: Vec<Part> = match (kind, coords) {
        ("Polygon", Some(c)) => vec![part_of(c).ok_or("import.bad_coordinates")?],
        ("MultiPolygon", Some(c)) => c
            .as_array()
            .ok_or("import.bad_coordinates")?
            .iter()
            .map(part_of)
            .collect::<Option<_>>()
            .ok_or("import.bad_coordinates")?,
        ("", _) | (_, None) if g.is_null() => return Err("import.no_geometry".into()),
        _ => return Err("import.not_polygon".into()),
    };
    let b = Boundary(parts);
    if b.0.is_empty() {
        return Err("import.bad_coordinates".into());
    }
    if b.ring_count() > crate::geometry::MAX_RINGS
        || b.vertex_count() > MAX_VERTICES + b.ring_count()
    {
        return Err("geo.too_many_points".into());
    }
    Ok(b)
}

/// The most coordinate positions a grid file may hold in all (a district's 1,206 grids of 140
/// vertices are 170,000).
pub const MAX_TOTAL_VERTICES: usize = 1_000_000;

/// Counts the coordinate positions of a GeoJSON text (`[` followed by a number) without parsing
/// it, stopping past `limit`. A parsed JSON number costs about 30 times its text, so a file is
/// measured before it is parsed: 20 MB of `[0,0],` would otherwise take 650 MB.
pub fn positions_over(text: &str, limit: usize) -> bool {
    let b = text.as_bytes();
    let (mut n, mut i, mut in_str) = (0usize, 0usize, false);
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'[' if !in_str => {
                let next = b[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
                if next.is_some_and(|c| c.is_ascii_digit() || *c == b'-' || *c == b'.') {
                    n += 1;
                    if n > limit {
                        return true;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// The features of a GeoJSON FeatureCollection, after the size and position limits (checked on the
/// text, before parsing).
fn collection(text: &str, max_positions: usize) -> Result<Vec<Value>, ReadError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    if positions_over(text, max_positions) {
        return Err(ReadError::TooManyVertices);
    }
    let mut v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|_| ReadError::NotJson)?;
    if v.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(ReadError::NotCollection);
    }
    match v.get_mut("features").map(Value::take) {
        Some(Value::Array(features)) => Ok(features),
        _ => Err(ReadError::NotCollection),
    }
}

/// Reads a GeoJSON FeatureCollection: every feature with its properties and ring (or the reason it
/// has none), and the property keys found, in first-seen order.
pub fn read(text: &str) -> Result<(Vec<RawFeature>, Vec<String>), ReadError> {
    let features = &collection(text, MAX_TOTAL_VERTICES)?;
    if features.is_empty() {
        return Err(ReadError::Empty);
    }
    if features.len() > MAX_FEATURES {
        return Err(ReadError::TooMany);
    }
    let mut keys: Vec<String> = Vec::new();
    let out = features
        .iter()
        .map(|f| {
            let properties: Vec<(String, String)> = f
                .get("properties")
                .and_then(Value::as_object)
                .map(|o| o.iter().map(|(k, v)| (k.clone(), text_of(v))).collect())
                .unwrap_or_default();
            for (k, _) in &properties {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
            RawFeature {
                properties,
                boundary: geometry_boundary(f.get("geometry").unwrap_or(&Value::Null)),
            }
        })
        .collect();
    Ok((out, keys))
}

/// Which property holds which grid field (`None`: not in the file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub name: Option<String>,
    pub code: Option<String>,
    pub level: Option<String>,
    pub parent: Option<String>,
    pub households: Option<String>,
    pub population: Option<String>,
    pub kind: Option<String>,
    /// The old system's own code, kept as the grid's `source_code` (any text).
    #[serde(default)]
    pub source_code: Option<String>,
}

impl Mapping {
    /// A first guess from common property names (ours, and Chinese ones).
    pub fn guess(keys: &[String]) -> Mapping {
        let find = |names: &[&str]| {
            keys.iter()
                .find(|k| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
                .cloned()
        };
        Mapping {
            name: find(&["name", "名称", "网格名称", "NAME", "grid_name"]),
            code: find(&["code", "编码", "网格编码", "CODE", "grid_code"]),
            level: find(&["level", "层级", "级别"]),
            parent: find(&["parent_code", "parent", "上级编码", "上级网格编码"]),
            households: find(&["households", "户数"]),
            population: find(&["population", "人口", "人数"]),
            kind: find(&["kind", "type", "类型"]),
            source_code: find(&[
                "source_code",
                "原编码",
                "源编码",
                "原网格编码",
                "old_code",
                "adcode",
                "行政区划代码",
            ]),
        }
    }

    /// [`Mapping::guess`], keeping only the properties whose values in `features` suit them: a
    /// DataV file's `level` ("district") is no level number, its `parent` ({"adcode": …}) no code.
    pub fn guess_for(keys: &[String], features: &[RawFeature]) -> Mapping {
        let suits = |k: Option<String>, ok: &dyn Fn(&str) -> bool| {
            k.filter(|k| {
                features
                    .iter()
                    .filter_map(|f| f.property(k))
                    .all(|v| ok(v.trim()))
            })
        };
        let count = |v: &str| v.parse::<f64>().is_ok_and(|n| n >= 0.0 && n.fract() == 0.0);
        let text = |v: &str| !v.starts_with('{') && !v.starts_with('[');
        let m = Mapping::guess(keys);
        Mapping {
            name: suits(m.name, &text),
            code: suits(m.code, &text),
            level: suits(m.level, &|v| matches!(v, "1" | "2" | "3")),
            parent: suits(m.parent, &text),
            households: suits(m.households, &count),
            population: suits(m.population, &count),
            kind: suits(m.kind, &|v| kind_of(v).is_some()),
            source_code: suits(m.source_code, &text),
        }
    }
}

/// One problem of one feature (0-based index), as a translation key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    pub feature: usize,
    pub key: String,
    /// Values for the message's placeholders (`{n}`, `{m}`), where it has any.
    #[serde(default)]
    pub args: Vec<(String, String)>,
}

fn kind_of(s: &str) -> Option<&'static str> {
    match s.trim() {
        "basic" | "基础网格" | "基础" | "1" => Some("basic"),
        "dedicated" | "专属网格" | "专属" | "3" => Some("dedicated"),
        _ => None,
    }
}

/// Builds grid drafts from the features. `level` is used when the mapping names no level
/// property; codes and parents missing from the file are left empty for the caller to fill
/// (by containment and sequence). Coordinates are converted to WGS84 and rings normalised.
pub fn drafts(
    features: &[RawFeature],
    m: &Mapping,
    crs: Crs,
    level: i64,
) -> (Vec<GridDraft>, Vec<Issue>) {
    let mut issues = Vec::new();
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let get = |k: &Option<String>| {
            k.as_deref()
                .and_then(|k| f.property(k))
                .map(|v| v.trim().to_owned())
        };
        let mut bad = |key: &str| {
            issues.push(Issue {
                feature: i,
                key: key.into(),
                args: Vec::new(),
            })
        };
        let boundary = match &f.boundary {
            Ok(b) => {
                let rings = b
                    .rings()
                    .map(|r| r.iter().map(|&p| crs.to_wgs84(p)).collect::<Ring>());
                // GeoJSON rings are closed; accept an unclosed one by closing it.
                let b = b.with_rings(rings).normalised();
                if let Err(e) = b.validate() {
                    bad(e.key());
                }
                b
            }
            Err(k) => {
                bad(k);
                Boundary::default()
            }
        };
        let count = |k: &Option<String>, bad: &mut dyn FnMut(&str)| match get(k) {
            None => 0,
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|n| *n >= 0.0 && n.fract() == 0.0)
                .map(|n| n as i64)
                .unwrap_or_else(|| {
                    bad("err.grid_count");
                    0
                }),
        };
        let households = count(&m.households, &mut bad);
        let population = count(&m.population, &mut bad);
        let lvl = match get(&m.level) {
            None => level,
            Some(v) => v.parse().unwrap_or_else(|_| {
                bad("err.grid_level");
                level
            }),
        };
        let kind = match get(&m.kind) {
            None => "basic",
            Some(v) => kind_of(&v).unwrap_or_else(|| {
                bad("err.grid_kind");
                "basic"
            }),
        };
        // A code that is not Linli's (digits only) is the old system's: kept as the source code,
        // and Linli numbers the grid itself.
        let mut code = get(&m.code).unwrap_or_default();
        let mut source_code = get(&m.source_code).unwrap_or_default();
        if !code.is_empty() && crate::Code::parse(&code).is_err() {
            if source_code.is_empty() {
                source_code = std::mem::take(&mut code);
            } else {
                code.clear();
            }
        }
        out.push(GridDraft {
            code,
            parent_code: get(&m.parent),
            level: lvl,
            name: get(&m.name).unwrap_or_else(|| format!("#{}", i + 1)),
            kind: kind.into(),
            households,
            population,
            workers: String::new(),
            valid_from: None,
            valid_to: None,
            boundary,
            source_code,
        });
    }
    (out, issues)
}

/// The most vertices a context layer (roads, buildings) may hold.
pub const MAX_CONTEXT_VERTICES: usize = 300_000;

/// Reads a context layer: every line and polygon outline of a FeatureCollection as a path in
/// WGS84 (points are skipped). Refuses files that are not GeoJSON, have nothing to draw, or are
/// too big to draw smoothly.
pub fn context_paths(text: &str, crs: Crs) -> Result<Vec<Ring>, ReadError> {
    let features = &collection(text, MAX_CONTEXT_VERTICES)?;
    let mut out: Vec<Ring> = Vec::new();
    let mut count = 0usize;
    let mut push = |line: Option<Ring>, out: &mut Vec<Ring>| -> Result<(), ReadError> {
        let Some(line) = line else { return Ok(()) };
        if line.len() < 2
            || line.iter().any(|p| {
                !p[0].is_finite() || !p[1].is_finite() || p[0].abs() > 180.0 || p[1].abs() > 90.0
            })
        {
            return Ok(());
        }
        count += line.len();
        if count > MAX_CONTEXT_VERTICES {
            return Err(ReadError::TooMany);
        }
        out.push(line.into_iter().map(|p| crs.to_wgs84(p)).collect());
        Ok(())
    };
    for f in features {
        let g = f.get("geometry").unwrap_or(&Value::Null);
        let c = g.get("coordinates");
        match (g.get("type").and_then(Value::as_str), c) {
            (Some("LineString"), Some(c)) => push(ring_of(c), &mut out)?,
            (Some("MultiLineString" | "Polygon"), Some(c)) => {
                for l in c.as_array().into_iter().flatten() {
                    push(ring_of(l), &mut out)?;
                }
            }
            (Some("MultiPolygon"), Some(c)) => {
                for poly in c.as_array().into_iter().flatten() {
                    for l in poly.as_array().into_iter().flatten() {
                        push(ring_of(l), &mut out)?;
                    }
                }
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FC: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"名称":"一号网格","编码":"32011300100101099","户数":"310","level":3},
       "geometry":{"type":"Polygon","coordinates":[[[118.8,32.1],[118.81,32.1],[118.81,32.11],[118.8,32.11],[118.8,32.1]]]}},
      {"type":"Feature","properties":{"名称":"<b>二号</b>"},"geometry":{"type":"Point","coordinates":[118.8,32.1]}},
      {"type":"Feature","properties":{"名称":"三号","户数":"-3"},
       "geometry":{"type":"Polygon","coordinates":[[[118.8,32.1],[118.81,32.11],[118.81,32.1],[118.8,32.11],[118.8,32.1]]]}},
      {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[118.8,32.1],[118.81,32.1],[118.81,32.11],[118.8,32.1]],[[118.805,32.101],[118.806,32.101],[118.806,32.102],[118.805,32.101]]]}},
      {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[218.8,32.1],[218.81,32.1],[218.81,32.11],[218.8,32.1]]]}},
      {"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[118.8,32.1],[118.81,32.1],[118.81,32.11],[118.8,32.1]]],[[[118.9,32.1],[118.91,32.1],[118.91,32.11],[118.9,32.1]]]]}},
      {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[118.8,32.1],[118.81,32.1],[118.81,32.11],[118.8,32.1]],[[118.9,32.1],[118.91,32.1],[118.91,32.11],[118.9,32.1]]]}},
      {"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[118.8,32.1],[118.81,32.1],[118.81,32.11],[118.8,32.1]]],[]]}}
    ]}"#;

    #[test]
    fn reads_features_guesses_the_mapping_and_reports_each_problem() {
        let (features, keys) = read(FC).unwrap();
        assert_eq!(features.len(), 8);
        let m = Mapping::guess(&keys);
        assert_eq!(m.name.as_deref(), Some("名称"));
        assert_eq!(m.code.as_deref(), Some("编码"));
        assert_eq!(m.households.as_deref(), Some("户数"));
        let (drafts, issues) = drafts(&features, &m, Crs::Wgs84, 3);
        assert_eq!(drafts[0].name, "一号网格");
        assert_eq!(drafts[0].households, 310);
        assert_eq!(drafts[0].level, 3);
        assert_eq!(drafts[1].name, "<b>二号</b>", "markup stays text");
        let keys_of = |i: usize| {
            issues
                .iter()
                .filter(|x| x.feature == i)
                .map(|x| x.key.as_str())
                .collect::<Vec<_>>()
        };
        assert!(keys_of(0).is_empty(), "{issues:?}");
        assert_eq!(keys_of(1), ["import.not_polygon"]);
        assert_eq!(keys_of(2), ["geo.self_intersection", "err.grid_count"]);
        assert!(keys_of(3).is_empty(), "a hole is kept: {issues:?}");
        assert_eq!(drafts[3].boundary.hole_count(), 1);
        assert_eq!(keys_of(4), ["geo.out_of_range"]);
        assert!(keys_of(5).is_empty(), "two parts are one grid: {issues:?}");
        assert_eq!(drafts[5].boundary.parts().len(), 2);
        assert_eq!(keys_of(6), ["geo.hole_outside"]);
        assert_eq!(keys_of(7), ["import.bad_coordinates"]);
    }

    #[test]
    fn broken_files_say_why() {
        assert_eq!(read("{not json").unwrap_err(), ReadError::NotJson);
        assert_eq!(
            read(r#"{"type":"Feature"}"#).unwrap_err(),
            ReadError::NotCollection
        );
        assert_eq!(
            read(r#"{"type":"FeatureCollection","features":[]}"#).unwrap_err(),
            ReadError::Empty
        );
        assert_eq!(
            read(&" ".repeat(MAX_FILE_BYTES + 1)).unwrap_err(),
            ReadError::TooLarge
        );
        let many = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            vec![r#"{"type":"Feature","properties":{},"geometry":null}"#; MAX_FEATURES + 1]
                .join(",")
        );
        assert_eq!(read(&many).unwrap_err(), ReadError::TooMany);
        let (f, _) =
            read(r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]}"#)
                .unwrap();
        assert_eq!(f[0].boundary, Err("import.no_geometry".to_owned()));
    }

    #[test]
    fn context_layers_keep_lines_and_outlines_only() {
        let fc = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"路"},"geometry":{"type":"LineString","coordinates":[[118.8,32.1],[118.81,32.1]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[118.8,32.1]}},
          {"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[118.8,32.1],[118.81,32.1],[118.81,32.11],[118.8,32.1]]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[318.8,32.1],[118.81,32.1]]}}
        ]}"#;
        let paths = context_paths(fc, Crs::Wgs84).unwrap();
        assert_eq!(
            paths.len(),
            2,
            "a road and a building outline; the point and the bad line are skipped"
        );
        let shifted = context_paths(fc, Crs::Gcj02).unwrap();
        assert!(
            (shifted[0][0][0] - 118.8).abs() > 1e-4,
            "converted to WGS84"
        );
        assert_eq!(context_paths("{", Crs::Wgs84), Err(ReadError::NotJson));
        let points = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}]}"#;
        assert_eq!(context_paths(points, Crs::Wgs84), Err(ReadError::Empty));
    }
}
