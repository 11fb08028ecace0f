//! Real boundary files through the import, level by level, into an empty map: what the cleaner
//! does with them and what it leaves for a decision. Not run by default (the files are not ours to
//! commit): `LINLI_REAL_GEOJSON="city.json,districts.json" LINLI_REAL_CRS=gcj02 cargo test
//! --release -p domain --test real_files -- --ignored --nocapture` reads each file as the next
//! level, plans it against what the files before it stored, accepts every proposal and prints the
//! report and the coverage of each parent.

use domain::geometry::{Index, Shape};
use domain::grid::{GridDraft, GridEdit, GridNode, StoredGrid};
use domain::grid_import::{drafts, plan, read, Crs, Mapping, Options};
use std::collections::{BTreeMap, HashSet};

struct Stored(i64, GridDraft);

impl GridNode for Stored {
    fn code(&self) -> &str {
        &self.1.code
    }
    fn parent_code(&self) -> Option<&str> {
        self.1.parent_code.as_deref()
    }
    fn level(&self) -> i64 {
        self.1.level
    }
    fn boundary(&self) -> &domain::geometry::Boundary {
        &self.1.boundary
    }
}

impl StoredGrid for Stored {
    fn id(&self) -> i64 {
        self.0
    }
    fn version(&self) -> i64 {
        1
    }
    fn dedicated(&self) -> bool {
        false
    }
    fn draft(&self) -> GridDraft {
        self.1.clone()
    }
    fn source_code(&self) -> &str {
        &self.1.source_code
    }
}

fn tally(keys: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

#[test]
#[ignore]
fn real_files_level_by_level() {
    let Ok(files) = std::env::var("LINLI_REAL_GEOJSON") else {
        eprintln!("LINLI_REAL_GEOJSON is not set: nothing to read");
        return;
    };
    let crs = match std::env::var("LINLI_REAL_CRS").as_deref() {
        Ok("gcj02") => Crs::Gcj02,
        Ok("bd09") => Crs::Bd09,
        _ => Crs::Wgs84,
    };
    let mut map: Vec<Stored> = Vec::new();
    for (n, path) in files.split(',').enumerate() {
        let level = n as i64 + 1;
        let text = std::fs::read_to_string(path).expect("read the file");
        let (features, keys) = read(&text).expect("GeoJSON");
        let mapping = Mapping::guess_for(&keys, &features);
        let (ds, issues) = drafts(&features, &mapping, crs, level);
        let mut options = Options {
            tolerance_m: 0.5,
            ..Options::default()
        };
        let t = std::time::Instant::now();
        let mut p = plan(ds.clone(), issues.clone(), &map, &options);
        let first = p.clone();
        options.accept = p.proposals.iter().map(|x| x.feature).collect();
        if !options.accept.is_empty() {
            p = plan(ds.clone(), issues.clone(), &map, &options);
        }
        println!(
            "{path}: {} features, level {level}, planned in {:?}",
            features.len(),
            t.elapsed()
        );
        println!(
            "  first pass: issues {:?}",
            tally(first.issues.iter().map(|i| i.key.clone()))
        );
        println!(
            "  proposals {:?}",
            tally(first.proposals.iter().map(|i| i.key.clone()))
        );
        println!(
            "  warnings {:?}",
            tally(p.warnings.iter().map(|i| i.key.clone()))
        );
        println!(
            "  after accepting: created {}, issues {:?}",
            p.created,
            p.issues
                .iter()
                .map(|i| format!("{} {}", i.feature, i.key))
                .collect::<Vec<_>>()
        );
        for x in &first.proposals {
            let parent = map.iter().max_by(|a, b| {
                a.1.boundary
                    .overlap_m2(&x.boundary)
                    .total_cmp(&b.1.boundary.overlap_m2(&x.boundary))
            });
            if let Some(parent) = parent {
                let spill = x.boundary.area_m2() - x.boundary.overlap_m2(&parent.1.boundary);
                println!(
                    "  proposal for {} ({:?}): {:.1} m² of {:.0} m² still outside {} ({} vertices)",
                    x.feature,
                    x.args,
                    spill,
                    x.boundary.area_m2(),
                    parent.1.name,
                    x.boundary.vertex_count()
                );
            }
        }
        let broken: HashSet<usize> = p.issues.iter().map(|i| i.feature).collect();
        if !broken.is_empty() {
            options.skip = broken;
            p = plan(ds.clone(), issues.clone(), &map, &options);
            println!(
                "  skipping those: created {}, issues {}",
                p.created,
                p.issues.len()
            );
        }
        let next = map.len() as i64 + 1;
        for (k, e) in p.edits.into_iter().enumerate() {
            if let GridEdit::Create { draft } = e {
                map.push(Stored(next + k as i64, draft));
            }
        }
        let shapes: Vec<Shape> = map
            .iter()
            .map(|g| Shape {
                code: g.1.code.clone(),
                parent: g.1.parent_code.clone(),
                dedicated: false,
                boundary: g.1.boundary.clone(),
            })
            .collect();
        let report = Index::new(&shapes).check_all();
        println!(
            "  whole map: problems {:?}",
            tally(report.problems.iter().map(|p| {
                format!("{p:?}")
                    .split([' ', '{'])
                    .next()
                    .unwrap_or("")
                    .to_owned()
            }))
        );
        for c in report.coverage {
            println!(
                "  coverage of {}: {:.3} % ({} children, gaps {:.0} m²)",
                c.parent, c.covered_pct, c.children, c.gap_m2
            );
        }
    }
}
