//! Native tests of `plan` (its own file: the planner is long enough without them).
use super::*;
use crate::geometry::Ring;
use crate::grid::GridNode;
use crate::grid_import::{drafts, read, Crs, Mapping, RawFeature};

/// A stored grid as the map holds it.
struct Stored {
    id: i64,
    version: i64,
    draft: GridDraft,
}

impl GridNode for Stored {
    fn code(&self) -> &str {
        &self.draft.code
    }
    fn parent_code(&self) -> Option<&str> {
        self.draft.parent_code.as_deref()
    }
    fn level(&self) -> i64 {
        self.draft.level
    }
    fn boundary(&self) -> &geo::Boundary {
        &self.draft.boundary
    }
}

impl StoredGrid for Stored {
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dedicated(&self) -> bool {
        self.draft.kind == "dedicated"
    }
    fn draft(&self) -> GridDraft {
        self.draft.clone()
    }
    fn source_code(&self) -> &str {
        &self.draft.source_code
    }
}

/// A rectangle in hundredths of a degree from (x0, y0) to (x1, y1), with a vertex at every
/// whole hundredth along its edges so neighbours share them.
fn rect(x0: i32, y0: i32, x1: i32, y1: i32) -> Ring {
    let p = |x: i32, y: i32| [118.0 + f64::from(x) * 0.01, 32.0 + f64::from(y) * 0.01];
    let mut r = Vec::new();
    r.extend((x0..x1).map(|x| p(x, y0)));
    r.extend((y0..y1).map(|y| p(x1, y)));
    r.extend((x0 + 1..=x1).rev().map(|x| p(x, y1)));
    r.extend((y0 + 1..=y1).rev().map(|y| p(x0, y)));
    r.push(p(x0, y0));
    r
}

fn draft(code: &str, parent: Option<&str>, level: i64, ring: Ring) -> GridDraft {
    GridDraft {
        code: code.into(),
        parent_code: parent.map(Into::into),
        level,
        name: format!("网格{code}"),
        kind: "basic".into(),
        households: 0,
        population: 0,
        workers: String::new(),
        valid_from: None,
        valid_to: None,
        boundary: ring.into(),
        source_code: String::new(),
    }
}

/// A community 2×1 with its left half already a grid worked by 王五.
fn map() -> Vec<Stored> {
    let mut left = draft("320113001001", Some("320113001"), 2, rect(0, 0, 1, 1));
    left.workers = "王五".into();
    vec![
        Stored {
            id: 1,
            version: 3,
            draft: draft("320113001", None, 1, rect(0, 0, 2, 1)),
        },
        Stored {
            id: 2,
            version: 5,
            draft: left,
        },
    ]
}

fn keys(p: &Plan) -> Vec<(usize, &str)> {
    p.issues
        .iter()
        .map(|i| (i.feature, i.key.as_str()))
        .collect()
}

#[test]
fn a_feature_without_code_or_parent_finds_both() {
    let f = draft("", None, 2, rect(1, 0, 2, 1));
    let p = plan(vec![f], vec![], &map(), &Options::default());
    assert_eq!(keys(&p), vec![]);
    assert_eq!((p.created, p.updated), (1, 0));
    let GridEdit::Create { draft } = &p.edits[0] else {
        panic!("{:?}", p.edits)
    };
    assert_eq!(draft.parent_code.as_deref(), Some("320113001"));
    assert_eq!(draft.code, "320113001002", "the next free child code");
    assert_eq!(draft.level, 2);
}

#[test]
fn a_known_code_updates_and_keeps_what_the_file_does_not_carry() {
    let mut f = draft("320113001001", None, 2, rect(0, 0, 1, 1));
    f.name = "新名字".into();
    let p = plan(vec![f], vec![], &map(), &Options::default());
    assert_eq!(keys(&p), vec![]);
    assert_eq!((p.created, p.updated), (0, 1));
    let GridEdit::Update { id, version, draft } = &p.edits[0] else {
        panic!("{:?}", p.edits)
    };
    assert_eq!(
        (*id, *version),
        (2, 5),
        "the stored grid and the version it was read at"
    );
    assert_eq!(draft.name, "新名字");
    assert_eq!(draft.workers, "王五", "workers are not in the file");
}

#[test]
fn every_problem_names_its_feature() {
    let stray = draft("", None, 2, rect(10, 10, 11, 11));
    let orphan = draft("320113009001", Some("320113009"), 2, rect(1, 0, 2, 1));
    let twice = draft("320113001002", Some("320113001"), 2, rect(1, 0, 2, 1));
    let overlapping = draft("", Some("320113001"), 2, rect(0, 0, 2, 1));
    let already_broken = draft("", None, 2, rect(1, 0, 2, 1));
    let read_issue = Issue {
        feature: 5,
        key: "import.not_polygon".into(),
        args: Vec::new(),
    };
    let features = vec![
        stray,
        orphan,
        twice.clone(),
        twice,
        overlapping,
        already_broken,
    ];
    let p = plan(
        features.clone(),
        vec![read_issue.clone()],
        &map(),
        &Options::default(),
    );
    let k = keys(&p);
    assert!(k.contains(&(0, "map.no_parent")), "{k:?}");
    assert!(k.contains(&(1, "err.grid_parent_missing")), "{k:?}");
    assert!(k.contains(&(3, "import.duplicate_code")), "{k:?}");
    assert!(k.contains(&(4, "import.overlap")), "{k:?}");
    assert!(k.contains(&(5, "import.not_polygon")), "{k:?}");
    assert!(
        !k.iter()
            .any(|(f, key)| *f == 5 && *key != "import.not_polygon"),
        "a feature the reader refused is not planned: {k:?}"
    );
    assert!(k.windows(2).all(|w| w[0].0 <= w[1].0), "sorted by feature");

    // Skipping every feature with a problem leaves the one good feature (the first copy of
    // `twice`), checked and ready to store.
    let skip: HashSet<usize> = [0, 1, 3, 4, 5].into();
    let options = Options {
        skip,
        ..Options::default()
    };
    let p = plan(features, vec![read_issue], &map(), &options);
    assert_eq!(keys(&p), vec![]);
    assert_eq!(
        (p.created, p.updated, p.skipped.clone()),
        (1, 0, vec![0, 1, 3, 4, 5])
    );
}

#[test]
fn a_concave_feature_goes_under_the_grid_it_mostly_covers() {
    // Street 1 is a U (6 × 4 with a notch 2..4 × 1..4); street 2 fills the notch. A community
    // drawn as the whole U has the mean of its vertices at (3.5, 2.25): in the notch, street 2.
    let p = |x: f64, y: f64| [118.0 + x * 0.01, 32.0 + y * 0.01];
    let u = vec![
        p(0., 0.),
        p(6., 0.),
        p(6., 4.),
        p(4., 4.),
        p(4., 1.),
        p(2., 1.),
        p(2., 4.),
        p(0., 4.),
        p(0., 0.),
    ];
    let streets = vec![
        Stored {
            id: 1,
            version: 1,
            draft: draft("320113001", None, 1, u.clone()),
        },
        Stored {
            id: 2,
            version: 1,
            draft: draft("320113002", None, 1, rect(2, 1, 4, 4)),
        },
    ];
    assert!(
        streets[1].draft.boundary.contains(geo::mean_point(&u)),
        "the vertex mean lies in the neighbouring street"
    );
    let p = plan(
        vec![draft("", None, 2, u)],
        vec![],
        &streets,
        &Options::default(),
    );
    assert_eq!(keys(&p), vec![]);
    let GridEdit::Create { draft } = &p.edits[0] else {
        panic!("{:?}", p)
    };
    assert_eq!(draft.parent_code.as_deref(), Some("320113001"));
}

#[test]
fn a_known_code_stays_under_its_stored_parent() {
    let mut m = map();
    m.push(Stored {
        id: 3,
        version: 1,
        draft: draft("320113002", None, 1, rect(0, 1, 2, 2)),
    });
    let f = draft("320113001001", Some("320113002"), 2, rect(0, 0, 1, 1));
    let p = plan(vec![f], vec![], &m, &Options::default());
    assert_eq!(keys(&p), vec![]);
    let GridEdit::Update { draft, .. } = &p.edits[0] else {
        panic!("{:?}", p.edits)
    };
    assert_eq!(
        draft.parent_code.as_deref(),
        Some("320113001"),
        "moving a grid is not an import's business"
    );
}

#[test]
fn an_empty_map_numbers_new_streets_under_the_district() {
    let district = Code::district("320113").unwrap();
    let streets = vec![
        draft("", None, 1, rect(0, 0, 1, 1)),
        draft("", None, 1, rect(1, 0, 2, 1)),
    ];
    let none: Vec<Stored> = Vec::new();
    let p = plan(
        streets.clone(),
        vec![],
        &none,
        &Options {
            district: Some(district.clone()),
            ..Options::default()
        },
    );
    assert_eq!(keys(&p), vec![]);
    let codes = created_codes(&p);
    assert_eq!(codes, ["320113001", "320113002"]);
    let p = plan(streets, vec![], &none, &Options::default());
    let GridEdit::Create { draft } = &p.edits[0] else {
        panic!("{:?}", p.edits)
    };
    assert_eq!(
        draft.code, "101",
        "without a district code: the fallback prefix"
    );
}

/// `map()` with the old system's codes on its grids: the community is "SQ-3", its left half
/// "SQ-3-1".
fn map_with_source_codes() -> Vec<Stored> {
    let mut m = map();
    m[0].draft.source_code = "SQ-3".into();
    m[1].draft.source_code = "SQ-3-1".into();
    m
}

/// The codes of a plan that only creates grids.
fn created_codes(p: &Plan) -> Vec<&str> {
    p.edits
        .iter()
        .map(|e| match e {
            GridEdit::Create { draft } => draft.code.as_str(),
            other => panic!("{other:?}"),
        })
        .collect()
}

fn created(p: &Plan) -> Vec<&GridDraft> {
    p.edits
        .iter()
        .filter_map(|e| match e {
            GridEdit::Create { draft } => Some(draft),
            _ => None,
        })
        .collect()
}

#[test]
fn an_old_systems_codes_are_kept_and_find_the_parent() {
    let mut f = draft("", Some("SQ-3"), 2, rect(1, 0, 2, 1));
    f.source_code = "SQ-3-2".into();
    let p = plan(
        vec![f],
        vec![],
        &map_with_source_codes(),
        &Options::default(),
    );
    assert_eq!(keys(&p), vec![]);
    let new = created(&p);
    assert_eq!(new[0].parent_code.as_deref(), Some("320113001"));
    assert_eq!(
        new[0].code, "320113001002",
        "Linli numbers it under the parent"
    );
    assert_eq!(new[0].source_code, "SQ-3-2");
}

#[test]
fn a_source_code_used_twice_is_a_warning_not_a_block() {
    // The new right half and the existing left half both labelled WG-7 in the old system.
    let mut right = draft("", None, 2, rect(1, 0, 2, 1));
    right.source_code = "WG-7".into();
    let mut left = draft("320113001001", None, 2, rect(0, 0, 1, 1));
    left.source_code = "WG-7".into();
    let p = plan(vec![right, left], vec![], &map(), &Options::default());
    assert_eq!(keys(&p), vec![]);
    assert_eq!((p.created, p.updated), (1, 1));
    let warned: Vec<(usize, &str)> = p
        .warnings
        .iter()
        .map(|w| (w.feature, w.key.as_str()))
        .collect();
    assert_eq!(warned, vec![(1, "import.duplicate_source_code")]);
}

#[test]
fn a_feature_with_a_known_source_code_updates_that_grid() {
    let mut f = draft("", None, 2, rect(0, 0, 1, 1));
    f.source_code = "SQ-3-1".into();
    f.households = 321;
    let p = plan(
        vec![f],
        vec![],
        &map_with_source_codes(),
        &Options::default(),
    );
    assert_eq!(keys(&p), vec![]);
    let GridEdit::Update { id, draft, .. } = &p.edits[0] else {
        panic!("{:?}", p.edits)
    };
    assert_eq!(
        (*id, draft.code.as_str(), draft.households),
        (2, "320113001001", 321)
    );
    assert_eq!(draft.workers, "王五", "what the file does not say is kept");
}

#[test]
fn digits_that_do_not_continue_the_parents_code_are_the_old_systems() {
    let f = draft("4401", Some("320113001"), 2, rect(1, 0, 2, 1));
    let p = plan(vec![f], vec![], &map(), &Options::default());
    assert_eq!(keys(&p), vec![]);
    let new = created(&p);
    assert_eq!(
        (new[0].code.as_str(), new[0].source_code.as_str()),
        ("320113001002", "4401")
    );
}

#[test]
fn a_code_that_is_not_digits_is_read_as_the_source_code() {
    let feature = |code: &str| RawFeature {
        properties: vec![
            ("name".into(), "三网格".into()),
            ("code".into(), code.into()),
        ],
        boundary: Ok(rect(1, 0, 2, 1).into()),
    };
    let m = Mapping::guess(&["name".into(), "code".into()]);
    let (d, issues) = drafts(
        &[feature("SQ-3-2"), feature("320113001002")],
        &m,
        Crs::Wgs84,
        2,
    );
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(
        (d[0].code.as_str(), d[0].source_code.as_str()),
        ("", "SQ-3-2")
    );
    assert_eq!(
        (d[1].code.as_str(), d[1].source_code.as_str()),
        ("320113001002", "")
    );
}

#[test]
fn a_neighbour_digitised_thirty_centimetres_over_the_line_is_snapped_within_the_tolerance() {
    // The free right half of the community, its west edge drawn 0.3 m into the left half.
    let off = 0.3 / (111_320.0 * 32f64.to_radians().cos());
    let ring = geo::normalise(&[
        [118.01 - off, 32.0],
        [118.02, 32.0],
        [118.02, 32.01],
        [118.01 - off, 32.01],
    ]);
    let f = draft("", None, 2, ring);
    let strict = plan(vec![f.clone()], vec![], &map(), &Options::default());
    assert_eq!(keys(&strict), vec![(0, "import.overlap")]);
    let options = Options {
        tolerance_m: 0.5,
        ..Options::default()
    };
    let p = plan(vec![f], vec![], &map(), &options);
    assert_eq!(keys(&p), vec![]);
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].key, "import.snapped");
    assert_eq!(p.warnings[0].args[0], ("n".to_owned(), "2".to_owned()));
    let GridEdit::Create { draft } = &p.edits[0] else {
        panic!("{:?}", p.edits)
    };
    let ring = draft.boundary.outer();
    assert!(ring.contains(&[118.01, 32.0]) && ring.contains(&[118.01, 32.01]));
}

#[test]
fn planning_in_slices_gives_the_same_plan() {
    let features: Vec<GridDraft> = vec![
        draft("", None, 2, rect(1, 0, 2, 1)),
        draft("", None, 2, rect(10, 10, 11, 11)),
        draft("320113001001", None, 2, rect(0, 0, 1, 1)),
    ];
    let m = map();
    let options = Options {
        tolerance_m: 0.5,
        ..Options::default()
    };
    let whole = plan(features.clone(), vec![], &m, &options);
    let mut planner = Planner::new(features, vec![], &m, &options);
    let mut seen = Vec::new();
    while !planner.step(1) {
        seen.push(planner.progress());
    }
    assert_eq!(seen, vec![(1, 3), (2, 3)]);
    assert_eq!(planner.progress(), (3, 3));
    assert_eq!(planner.finish(), whole);
}

#[test]
fn a_feature_without_area_is_dropped_with_a_note() {
    let line = vec![
        [118.01, 32.0],
        [118.015, 32.0],
        [118.02, 32.0],
        [118.01, 32.0],
    ];
    let features = vec![
        draft("", None, 2, rect(1, 0, 2, 1)),
        draft("", None, 2, line),
    ];
    let (mut raw, mut issues) = (features, Vec::new());
    // As `drafts` reports it.
    if let Err(e) = raw[1].boundary.validate() {
        issues.push(Issue {
            feature: 1,
            key: e.key().into(),
            args: Vec::new(),
        });
    }
    assert_eq!(issues[0].key, "geo.zero_area");
    raw[1].name = "残留".into();
    let p = plan(raw, issues, &map(), &Options::default());
    assert_eq!(keys(&p), vec![]);
    assert_eq!((p.created, p.skipped.len()), (1, 0));
    assert_eq!(p.warnings[0].feature, 1);
    assert_eq!(p.warnings[0].key, "import.dropped_zero_area");
}

#[test]
fn a_parent_with_more_than_ninety_nine_children_gets_three_digit_codes() {
    // 120 new grids in a row under the community's free right half... as a level of their own:
    // thin strips, none with a code.
    let features = strips(120);
    let p = plan(features, vec![], &map(), &Options::default());
    assert_eq!(keys(&p), vec![]);
    let codes = created_codes(&p);
    let unique: HashSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), 120, "{codes:?}");
    assert_eq!(codes[0], "320113001002", "after the stored 001");
    assert_eq!(codes[119], "320113001121");
}

#[test]
fn a_parent_whose_two_digit_codes_run_out_refuses_the_hundredth_child() {
    // The stored child of 320113001 has a three-digit sequence; give the community two-digit
    // children instead: 01 stored, 02..99 from the file, then one too many.
    let mut m = map();
    m[1].draft.code = "32011300101".into();
    let features = strips(99);
    let p = plan(features, vec![], &m, &Options::default());
    assert_eq!(keys(&p), vec![(98, "import.code_full")]);
    assert_eq!(p.created, 98);
}

/// `n` new level-2 grids without codes under 320113001: thin strips side by side across the
/// community's free right half.
fn strips(n: i32) -> Vec<GridDraft> {
    let p = |x: f64, y: f64| [118.01 + x * 0.0001, 32.0 + y * 0.01];
    (0..n)
        .map(|k| {
            let (a, b) = (f64::from(k) * 0.8, f64::from(k + 1) * 0.8);
            let ring = geo::normalise(&[p(a, 0.0), p(b, 0.0), p(b, 1.0), p(a, 1.0)]);
            draft("", Some("320113001"), 2, ring)
        })
        .collect()
}

fn at(x: f64, y: f64) -> geo::Point {
    [118.0 + x * 0.01, 32.0 + y * 0.01]
}

/// As `drafts` reports a feature whose boundary is not valid.
fn invalid(feature: usize, d: &GridDraft) -> Issue {
    Issue {
        feature,
        key: d.boundary.normalised().validate().unwrap_err().key().into(),
        args: Vec::new(),
    }
}

#[test]
fn a_bow_tie_is_proposed_as_two_parts_and_stored_so_once_accepted() {
    // The right half digitised with its top corners swapped: two triangles meeting in the middle.
    let bow = draft(
        "",
        None,
        2,
        vec![at(1., 0.), at(2., 0.), at(1., 1.), at(2., 1.), at(1., 0.)],
    );
    let issues = vec![invalid(0, &bow)];
    assert_eq!(issues[0].key, "geo.self_intersection");
    let p = plan(
        vec![bow.clone()],
        issues.clone(),
        &map(),
        &Options::default(),
    );
    assert_eq!(keys(&p), [(0, "import.bowtie")]);
    assert_eq!(p.proposals.len(), 1);
    assert_eq!(p.proposals[0].boundary.parts().len(), 2);
    assert!(p.edits.is_empty());
    let accepted = Options {
        accept: [0].into(),
        ..Options::default()
    };
    let p = plan(vec![bow], issues, &map(), &accepted);
    assert_eq!(keys(&p), []);
    assert_eq!(p.warnings[0].key, "import.repaired");
    let GridEdit::Create { draft } = &p.edits[0] else {
        panic!("{:?}", p.edits)
    };
    assert_eq!(draft.boundary.parts().len(), 2);
    assert_eq!(draft.parent_code.as_deref(), Some("320113001"));
}

#[test]
fn an_overlap_beyond_a_sliver_is_proposed_cut_and_cut_once_accepted() {
    // The right half drawn a tenth of a hundredth (about 94 m) into the stored left half.
    let wide = draft(
        "",
        None,
        2,
        vec![
            at(0.9, 0.),
            at(2., 0.),
            at(2., 1.),
            at(0.9, 1.),
            at(0.9, 0.),
        ],
    );
    let p = plan(vec![wide.clone()], vec![], &map(), &Options::default());
    assert_eq!(keys(&p), [(0, "import.overlap")]);
    assert_eq!(p.proposals[0].key, "import.propose_cut");
    let accepted = Options {
        accept: [0].into(),
        ..Options::default()
    };
    let p = plan(vec![wide], vec![], &map(), &accepted);
    assert_eq!(keys(&p), []);
    assert_eq!(p.warnings[0].key, "import.cut");
    let GridEdit::Create { draft } = &p.edits[0] else {
        panic!("{:?}", p.edits)
    };
    let half = draft.boundary.area_m2() / geo::Boundary::from(rect(1, 0, 2, 1)).area_m2();
    assert!((half - 1.0).abs() < 1e-3, "{half}");
}

/// The right half with the middle of its west edge bent `dx` hundredths of a degree east (1e-5:
/// about a centimetre; negative: into the stored left half).
fn right_half_bent(dx: f64) -> GridDraft {
    let ring = vec![
        at(1., 0.),
        at(2., 0.),
        at(2., 1.),
        at(1., 1.),
        at(1. + dx, 0.5),
        at(1., 0.),
    ];
    draft("", None, 2, ring)
}

#[test]
fn a_sliver_of_overlap_is_cut_with_a_note() {
    // The right half's west edge bends a centimetre into the left half: about 5 m² of overlap.
    let poke = right_half_bent(-1e-5);
    let p = plan(vec![poke], vec![], &map(), &Options::default());
    assert_eq!(keys(&p), []);
    assert_eq!(p.proposals, []);
    let cut = p.warnings.iter().find(|w| w.key == "import.cut").unwrap();
    let area: f64 = cut.args[0].1.parse().unwrap();
    assert!(area > geo::AREA_EPSILON_M2 && area <= SLIVER_M2, "{area}");
}

#[test]
fn a_sliver_of_gap_goes_to_the_neighbour_that_borders_it() {
    // The right half's west edge bends a centimetre away from the stored left half: a sliver of
    // gap of about 5 m² inside the parent, which the right half takes back.
    let dent = right_half_bent(1e-5);
    let p = plan(vec![dent], vec![], &map(), &Options::default());
    assert_eq!(keys(&p), []);
    let filled = p
        .warnings
        .iter()
        .find(|w| w.key == "import.gap_filled")
        .unwrap();
    let area: f64 = filled.args[0].1.parse().unwrap();
    assert!(area > geo::AREA_EPSILON_M2 && area <= SLIVER_M2, "{area}");
    let GridEdit::Create { draft } = &p.edits[0] else {
        panic!("{:?}", p.edits)
    };
    let half = geo::Boundary::from(rect(1, 0, 2, 1));
    assert!(
        (half.overlap_m2(&draft.boundary) - half.area_m2()).abs() < geo::AREA_EPSILON_M2,
        "the whole right half is the grid's again"
    );
}

#[test]
fn a_file_that_moves_a_shared_edge_between_two_stored_grids_cuts_nothing() {
    let mut stored = map();
    stored.push(Stored {
        id: 3,
        version: 1,
        draft: draft("320113001002", Some("320113001"), 2, rect(1, 0, 2, 1)),
    });
    // Both halves re-exported with their shared edge moved half a hundredth east.
    let left = vec![at(0., 0.), at(1.5, 0.), at(1.5, 1.), at(0., 1.), at(0., 0.)];
    let right = vec![
        at(1.5, 0.),
        at(2., 0.),
        at(2., 1.),
        at(1.5, 1.),
        at(1.5, 0.),
    ];
    let file = vec![
        draft("320113001001", None, 2, left),
        draft("320113001002", None, 2, right),
    ];
    let options = Options {
        tolerance_m: 0.5,
        ..Options::default()
    };
    let p = plan(file, vec![], &stored, &options);
    assert_eq!(keys(&p), []);
    assert_eq!(p.proposals, []);
    assert!(
        p.warnings.iter().all(|w| w.key != "import.cut"),
        "{:?}",
        p.warnings
    );
    assert_eq!((p.created, p.updated), (0, 2));
}

/// Two districts as DataV (AMap's data portal) exports them: GCJ-02 MultiPolygons, `adcode`,
/// `level` as a word, `parent` as an object; the second district in two parts that meet
/// along a line, as DataV splits some.
const DATAV: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"adcode":320102,"name":"玄武区","center":[118.79,32.05],"centroid":[118.84,32.06],"childrenNum":0,"level":"district","parent":{"adcode":320100},"subFeatureIndex":0,"acroutes":[100000,320000,320100]},
   "geometry":{"type":"MultiPolygon","coordinates":[[[[118.80,32.05],[118.82,32.05],[118.82,32.07],[118.80,32.07],[118.80,32.05]]]]}},
  {"type":"Feature","properties":{"adcode":320104,"name":"秦淮区","center":[118.78,32.03],"centroid":[118.81,32.01],"childrenNum":0,"level":"district","parent":{"adcode":320100},"subFeatureIndex":1,"acroutes":[100000,320000,320100]},
   "geometry":{"type":"MultiPolygon","coordinates":[
     [[[118.82,32.05],[118.84,32.05],[118.84,32.06],[118.82,32.06],[118.82,32.05]]],
     [[[118.82,32.06],[118.84,32.06],[118.84,32.07],[118.82,32.07],[118.82,32.06]]]]}}
]}"#;

#[test]
fn a_datav_file_maps_adcode_as_the_source_code_and_ignores_its_level_and_parent_objects() {
    let (features, keys) = read(DATAV).unwrap();
    let m = Mapping::guess_for(&keys, &features);
    assert_eq!(m.name.as_deref(), Some("name"));
    assert_eq!(m.source_code.as_deref(), Some("adcode"));
    assert_eq!((&m.level, &m.parent, &m.code), (&None, &None, &None));
    let (d, issues) = drafts(&features, &m, Crs::Gcj02, 1);
    assert_eq!(d[0].source_code, "320102");
    assert_eq!(d[1].boundary.parts().len(), 2);
    assert_eq!(
        issues
            .iter()
            .map(|i| (i.feature, i.key.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "geo.parts_overlap")],
        "parts meeting along a line are not yet one boundary"
    );
    let none: Vec<Stored> = Vec::new();
    let options = Options {
        tolerance_m: 0.5,
        ..Options::default()
    };
    let p = plan(d, issues, &none, &options);
    assert!(p.issues.is_empty(), "{:?}", p.issues);
    assert_eq!(p.created, 2);
    assert!(p
        .warnings
        .iter()
        .any(|w| w.feature == 1 && w.key == "import.parts_joined"));
    let GridEdit::Create { draft } = &p.edits[1] else {
        panic!("{:?}", p.edits[1]);
    };
    assert_eq!(draft.boundary.parts().len(), 1, "one part after joining");
    // GCJ-02 is shifted back to WGS84: a few hundred metres in Nanjing.
    let [x, y, ..] = draft.boundary.bbox();
    let shift_m = ((118.82 - x) * 94_400.0).hypot((32.05 - y) * 111_000.0);
    assert!((100.0..1_000.0).contains(&shift_m), "{shift_m} m");
}

/// A district shaped like the benchmark's large level: 30 communities, each tiled by 8 × 5
/// grids whose edges carry 35 vertices each (about 140 a grid, 1,200 grids), stored; the
/// file re-imports every grid unchanged (each an update).
fn large_level() -> (Vec<Stored>, Vec<GridDraft>) {
    const K: usize = 35;
    let d = 0.002;
    let p = |i: usize, j: usize| {
        let q = |v: f64| (v * 1e7).round() / 1e7;
        [
            q(118.0 + i as f64 * d / K as f64),
            q(32.0 + j as f64 * d / K as f64),
        ]
    };
    // A rectangle in lattice steps with every step on its edges.
    let ring = |i0: usize, j0: usize, i1: usize, j1: usize| -> Ring {
        let mut r = Vec::new();
        r.extend((i0..i1).map(|i| p(i, j0)));
        r.extend((j0..j1).map(|j| p(i1, j)));
        r.extend((i0 + 1..=i1).rev().map(|i| p(i, j1)));
        r.extend((j0 + 1..=j1).rev().map(|j| p(i0, j)));
        r.push(p(i0, j0));
        r
    };
    let (mut stored, mut file) = (Vec::new(), Vec::new());
    let mut id = 0;
    for c in 0..30 {
        let (ci, cj) = (c % 6 * 8 * K, c / 6 * 5 * K);
        let community = format!("320113001{:03}", c + 1);
        id += 1;
        stored.push(Stored {
            id,
            version: 1,
            draft: draft(&community, None, 2, ring(ci, cj, ci + 8 * K, cj + 5 * K)),
        });
        for g in 0..40 {
            let (gi, gj) = (ci + g % 8 * K, cj + g / 8 * K);
            let code = format!("{community}{:03}", g + 1);
            let d = draft(&code, Some(&community), 3, ring(gi, gj, gi + K, gj + K));
            file.push(GridDraft {
                parent_code: None,
                ..d.clone()
            });
            id += 1;
            stored.push(Stored {
                id,
                version: 1,
                draft: d,
            });
        }
    }
    (stored, file)
}

/// Not a test: the time each phase of planning the large level takes, natively
/// (`cargo test --release -p domain large_level_timing -- --ignored --nocapture`).
#[test]
#[ignore]
fn large_level_timing() {
    let (stored, file) = large_level();
    for tolerance_m in [0.5, 0.0] {
        let options = Options {
            tolerance_m,
            ..Options::default()
        };
        let t = std::time::Instant::now();
        let mut planner = Planner::new(file.clone(), vec![], &stored, &options);
        while !planner.step(usize::MAX) {}
        let stepped = t.elapsed();
        let plan = planner.finish();
        println!(
            "tolerance {tolerance_m}: steps {stepped:?}, finish {:?}; {} updated, {} issues, {} warnings",
            t.elapsed() - stepped,
            plan.updated,
            plan.issues.len(),
            plan.warnings.len()
        );
        assert_eq!(plan.updated, 1200);
        assert!(plan.issues.is_empty(), "{:?}", &plan.issues[..3]);
    }
}

use crate::geometry::testing::Lcg;

/// A community (stored) and a file of its 5 × 3 grids: a lattice with jittered inner corners and
/// a vertex every ~50 m along each edge, each grid then digitised on its own — every vertex off by
/// up to `noise_m` in each direction, as two neighbours drawn separately are.
fn digitised_separately(rng: &mut Lcg, noise_m: f64) -> (Vec<Stored>, Vec<GridDraft>) {
    let (nx, ny, k, d) = (5usize, 3usize, 4usize, 0.002);
    let q = |v: f64| (v * 1e7).round() / 1e7;
    let mut corner = vec![[0.0; 2]; (nx + 1) * (ny + 1)];
    for j in 0..=ny {
        for i in 0..=nx {
            let inner = i > 0 && i < nx && j > 0 && j < ny;
            let (jx, jy) = if inner {
                (rng.next() - 0.5, rng.next() - 0.5)
            } else {
                (0.0, 0.0)
            };
            corner[j * (nx + 1) + i] = [
                118.9 + (i as f64 + 0.3 * jx) * d,
                32.1 + (j as f64 + 0.3 * jy) * d,
            ];
        }
    }
    let c = |i: usize, j: usize| corner[j * (nx + 1) + i];
    // The points from corner a to corner b (a included, b not), k to an edge.
    let edge = |a: geo::Point, b: geo::Point| -> Vec<geo::Point> {
        (0..k)
            .map(|s| {
                let t = s as f64 / k as f64;
                [q(a[0] + (b[0] - a[0]) * t), q(a[1] + (b[1] - a[1]) * t)]
            })
            .collect()
    };
    let walk = |corners: &[(usize, usize)]| -> Ring {
        let mut r: Ring = corners
            .windows(2)
            .flat_map(|w| edge(c(w[0].0, w[0].1), c(w[1].0, w[1].1)))
            .collect();
        r.push(r[0]);
        r
    };
    let mut border = Vec::new();
    border.extend((0..nx).map(|i| (i, 0)));
    border.extend((0..ny).map(|j| (nx, j)));
    border.extend((1..=nx).rev().map(|i| (i, ny)));
    border.extend((0..=ny).rev().map(|j| (0, j)));
    let stored = vec![Stored {
        id: 1,
        version: 1,
        draft: draft("320113001", None, 1, walk(&border)),
    }];
    let (ew, ns) = (1.0 / 94_400.0, 1.0 / 111_000.0);
    let mut file = Vec::new();
    for j in 0..ny {
        for i in 0..nx {
            let mut ring = walk(&[(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1), (i, j)]);
            let n = ring.len() - 1;
            for p in &mut ring[..n] {
                p[0] = q(p[0] + (rng.next() - 0.5) * 2.0 * noise_m * ew);
                p[1] = q(p[1] + (rng.next() - 0.5) * 2.0 * noise_m * ns);
            }
            ring[n] = ring[0];
            file.push(draft("", None, 2, ring));
        }
    }
    (stored, file)
}

fn planned(p: &Plan) -> Vec<GridDraft> {
    p.edits
        .iter()
        .filter_map(|e| match e {
            GridEdit::Create { draft } => Some(draft.clone()),
            _ => None,
        })
        .collect()
}

/// The cleaner's promises on neighbours digitised separately within the tolerance: what it stores
/// neither overlaps nor spills nor leaves gaps (beyond rounding), it never changes more area than
/// its notes account for, and cleaning its own output again changes nothing.
#[test]
fn property_the_cleaner_leaves_no_overlap_accounts_for_every_square_metre_and_is_idempotent() {
    use ::geo::Area;
    let frame = geo::Frame::at(32.1);
    let area = |b: &geo::Boundary| b.to_geo(&frame).unsigned_area();
    let mut rng = Lcg(2026);
    for case in 0..40 {
        let noise_m = 0.02 + rng.next() * 0.2;
        let (stored, file) = digitised_separately(&mut rng, noise_m);
        let options = Options {
            tolerance_m: 0.5,
            ..Options::default()
        };
        let p = plan(file.clone(), vec![], &stored, &options);
        assert_eq!(keys(&p), [], "case {case} ({noise_m:.2} m)");
        assert_eq!(p.proposals, [], "case {case}");
        let out = planned(&p);
        assert_eq!(out.len(), 15);
        // Nothing left to report on the map as stored.
        let mut shapes: Vec<geo::Shape> = out
            .iter()
            .map(|d| geo::Shape {
                code: d.code.clone(),
                parent: d.parent_code.clone(),
                dedicated: false,
                boundary: d.boundary.clone(),
            })
            .collect();
        shapes.push(geo::Shape {
            code: "320113001".into(),
            parent: None,
            dedicated: false,
            boundary: stored[0].draft.boundary.clone(),
        });
        let report = Index::new(&shapes).check_all();
        assert_eq!(report.problems, [], "case {case} ({noise_m:.2} m)");
        assert!(
            report.coverage[0].covered_pct > 99.999,
            "case {case}: {:?}",
            report.coverage
        );
        // Every square metre changed is accounted for: areas cut and gaps filled as reported,
        // and at most the largest snapping shift along each grid's boundary.
        let reported: f64 = p
            .warnings
            .iter()
            .map(|w| {
                let arg = |k: &str| {
                    w.args
                        .iter()
                        .find(|(key, _)| key == k)
                        .and_then(|(_, v)| v.parse::<f64>().ok())
                        .unwrap_or(0.0)
                };
                match w.key.as_str() {
                    "import.snapped" => arg("m") * file[w.feature].boundary.perimeter_m(),
                    _ => arg("area"),
                }
            })
            .sum();
        let before: f64 = file.iter().map(|d| area(&d.boundary)).sum();
        let after: f64 = out.iter().map(|d| area(&d.boundary)).sum();
        assert!(
            (before - after).abs() <= reported + 1.0,
            "case {case}: {before:.1} m² in, {after:.1} m² out, {reported:.1} m² reported"
        );
        // Cleaning the output again changes nothing.
        let again = plan(out.clone(), vec![], &stored, &options);
        assert_eq!(keys(&again), [], "case {case}");
        assert_eq!(again.warnings, [], "case {case}");
        assert_eq!(planned(&again), out, "case {case}");
    }
}
