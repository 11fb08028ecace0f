//! A deterministic generator of a believable district (the same input always gives the same output):
//! one street, three levels of grids that tile their parents exactly with shared vertices, ~300
//! households per basic grid, a five-level party organisation linked to the grids, and events
//! including the centralised service days on the 15th and 25th of every month.
//!
//! Geometry is built on one jittered lattice: every grid at every level is a rectangle in lattice
//! index space whose ring walks *all* lattice points on its border. Neighbours and parents therefore
//! share identical vertices along shared edges (a valid polygonal coverage), whatever the level.

use crate::code::Code;
use crate::date::{civil_from_days, days_from_civil};
use crate::grid::GridKind;
use crate::org::LevelSet;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scale {
    /// 4 communities, 8 areas, 32 basic grids, ~140 organisation units, a handful of events.
    Small,
    /// Guancheng's numbers: 12 communities, 144 areas, 564 basic grids (the report has 13, 138 and
    /// 564 at its three levels; a rectangular lattice gets the basic grids exact); 1,008 organisation units
    /// plus 10,000 central households; 5,000 events.
    Medium,
    /// Tongchuan's numbers: 72 communities cut into 1,206 basic grids; 1,423 organisation units plus
    /// 10,000 central households; 5,000 events.
    Large,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "small" => Some(Scale::Small),
            "medium" => Some(Scale::Medium),
            "large" => Some(Scale::Large),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoGrid {
    pub code: Code,
    pub parent: Option<Code>,
    pub level: u8,
    pub name: String,
    pub kind: GridKind,
    pub households: i64,
    pub population: i64,
    /// Exterior ring in WGS84 `[lon, lat]`, closed, counter-clockwise (RFC 7946 right-hand rule).
    pub ring: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoUnit {
    pub code: Code,
    pub parent: Option<Code>,
    pub level: String,
    pub name: String,
    pub secretary: String,
    pub phone: String,
    pub grid: Option<Code>,
    /// Term start as `YYYY-MM-DD`.
    pub term_start: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoEvent {
    pub title: String,
    pub category: String,
    pub unit: Code,
    pub location: String,
    /// Local Asia/Shanghai time `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub ends_at: String,
    /// RFC 5545 RRULE value without the `RRULE:` prefix, for recurring events.
    pub rrule: Option<String>,
    pub capacity: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoUser {
    pub username: String,
    pub display_name: String,
    pub role: crate::Role,
    pub scope: Option<Code>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    pub street_name: String,
    pub street_code: Code,
    pub grids: Vec<DemoGrid>,
    pub units: Vec<DemoUnit>,
    pub events: Vec<DemoEvent>,
    pub users: Vec<DemoUser>,
    /// A year of service matching in the first community (`demo_service`).
    pub service: crate::demo_service::DemoService,
    /// The departments the street whistles, each with an account (`demo_field`).
    pub departments: Vec<crate::demo_field::DemoDepartment>,
}

/// The one password of every demo account; printed by `linli serve` when it loads the demo.
pub const DEMO_PASSWORD: &str = "linli-demo-2026";

/// SplitMix64: tiny, deterministic, good enough for jitter and names.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
    pub(crate) fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强",
];
const COMMUNITY_WORDS: &[&str] = &[
    "仙林",
    "尧化",
    "马群",
    "迈皋桥",
    "燕子矶",
    "龙潭",
    "八卦洲",
    "西岗",
    "栖霞",
    "靖安",
    "摄山",
    "甘家巷",
    "东阳",
    "青山",
    "宁杨",
    "石埠桥",
    "新港",
    "太平",
    "和平",
    "春晓",
    "长江",
    "金港",
    "翠林",
    "紫东",
];
const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

pub(crate) fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn phone(rng: &mut Rng) -> String {
    let prefixes = [133, 135, 137, 138, 139, 150, 151, 158, 177, 186, 188, 199];
    format!(
        "{}{:08}",
        prefixes[(rng.next() % prefixes.len() as u64) as usize],
        rng.next() % 100_000_000
    )
}

fn community_name(i: usize) -> String {
    let n = COMMUNITY_WORDS.len();
    if i < n {
        format!("{}社区", COMMUNITY_WORDS[i])
    } else {
        format!(
            "{}{}社区",
            COMMUNITY_WORDS[i % n],
            NUMERALS[(i / n - 1) % NUMERALS.len()]
        )
    }
}

struct Shape {
    l1: (usize, usize),
    l2: (usize, usize),
    /// Rows of basic grids in each level-2 area.
    rows: usize,
    /// Lattice columns per level-2 area (divisible by every column count used).
    area_width: usize,
    /// Lattice rows per basic-grid row.
    row_height: usize,
    /// Level-2 areas with index below this get one extra basic grid in their last row.
    areas_with_extra: usize,
    base_cols: usize,
    households_per_group: (usize, usize),
    events: usize,
}

impl Shape {
    fn of(scale: Scale) -> Shape {
        match scale {
            Scale::Small => Shape {
                l1: (2, 2),
                l2: (2, 1),
                rows: 2,
                area_width: 6,
                row_height: 3,
                areas_with_extra: 0,
                base_cols: 2,
                households_per_group: (2, 0),
                events: 0,
            },
            // 12 communities × 12 areas = 144 areas; 132 × 4 + 12 × 3 = 564 basic grids;
            // 564 × 17 + 412 = 10,000 central households.
            Scale::Medium => Shape {
                l1: (3, 4),
                l2: (4, 3),
                rows: 1,
                area_width: 12,
                row_height: 4,
                areas_with_extra: 132,
                base_cols: 3,
                households_per_group: (17, 412),
                events: 5000,
            },
            // 72 communities × 2 areas = 144 areas; 54 × 9 + 90 × 8 = 1,206 basic grids;
            // 1,206 × 8 + 352 = 10,000 central households.
            Scale::Large => Shape {
                l1: (9, 8),
                l2: (2, 1),
                rows: 2,
                area_width: 20,
                row_height: 4,
                areas_with_extra: 54,
                base_cols: 4,
                households_per_group: (8, 352),
                events: 5000,
            },
        }
    }
}

pub(crate) fn ymd(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Generates the district. `today` (days since the epoch) anchors terms and events so the demo
/// always shows upcoming events; everything else depends only on `scale`.
pub fn generate(scale: Scale, today: i64) -> District {
    let s = Shape::of(scale);
    let mut rng = Rng(0x4C49_4E4C_4932_3032);
    let street_code = Code::parse("320113001").expect("valid code");
    let street_name = "尧化街道".to_owned();

    // Lattice in index space.
    let nx = s.l1.0 * s.l2.0 * s.area_width;
    let ny = s.l1.1 * s.l2.1 * s.rows * s.row_height;
    // Roughly 220 m per basic grid side around Qixia, Nanjing.
    let (lon0, lat0) = (118.860, 32.100);
    let col_m = 220.0 * s.base_cols as f64 / s.area_width as f64;
    let row_m = 220.0 / s.row_height as f64;
    let dlon = col_m / 94_400.0;
    let dlat = row_m / 111_320.0;
    let mut pts = vec![[0.0f64; 2]; (nx + 1) * (ny + 1)];
    for j in 0..=ny {
        for i in 0..=nx {
            let interior = i > 0 && i < nx && j > 0 && j < ny;
            let (jx, jy) = if interior {
                (rng.unit() - 0.5, rng.unit() - 0.5)
            } else {
                (0.0, 0.0)
            };
            let lon = lon0 + (i as f64 + 0.35 * jx) * dlon;
            let lat = lat0 + (j as f64 + 0.35 * jy) * dlat;
            // Round to 1e-7° (~1 cm), as stored.
            pts[j * (nx + 1) + i] = [(lon * 1e7).round() / 1e7, (lat * 1e7).round() / 1e7];
        }
    }
    let ring = |i0: usize, j0: usize, i1: usize, j1: usize| -> Vec<[f64; 2]> {
        // Counter-clockwise with y (lat) growing upwards: along the bottom, up the right side,
        // back along the top, down the left side.
        let at = |i: usize, j: usize| pts[j * (nx + 1) + i];
        let mut r = Vec::new();
        for i in i0..i1 {
            r.push(at(i, j0));
        }
        for j in j0..j1 {
            r.push(at(i1, j));
        }
        for i in (i0 + 1..=i1).rev() {
            r.push(at(i, j1));
        }
        for j in (j0 + 1..=j1).rev() {
            r.push(at(i0, j));
        }
        r.push(r[0]);
        r
    };

    let levels = LevelSet::five_level();
    let lv = |d: usize| levels.levels[d].key.clone();
    let term = |rng: &mut Rng, years: i64| ymd(today - rng.range(30, 365 * years - 20));

    let mut grids = Vec::new();
    let mut units = vec![DemoUnit {
        code: street_code.clone(),
        parent: None,
        level: lv(0),
        name: format!("{street_name}党工委"),
        secretary: person(&mut rng),
        phone: phone(&mut rng),
        grid: None,
        term_start: term(&mut rng, 5),
    }];
    let (aw, ah) = (s.area_width, s.rows * s.row_height);
    let mut area_index = 0;
    let mut grid_index = 0;
    let mut household_extra = s.households_per_group.1;
    let mut communities = Vec::new();
    for cy in 0..s.l1.1 {
        for cx in 0..s.l1.0 {
            let ci = cy * s.l1.0 + cx;
            let c_code = street_code.child(ci as u32 + 1, 3);
            let c_name = community_name(ci);
            let (ci0, cj0) = (cx * s.l2.0 * aw, cy * s.l2.1 * ah);
            let mut c_house = 0;
            let mut c_seq = 0;
            let mut c_pop = 0;
            let c_grid_pos = grids.len();
            communities.push((c_code.clone(), c_name.clone()));
            units.push(DemoUnit {
                code: c_code.clone(),
                parent: Some(street_code.clone()),
                level: lv(1),
                name: format!("{c_name}党委"),
                secretary: person(&mut rng),
                phone: phone(&mut rng),
                grid: Some(c_code.clone()),
                term_start: term(&mut rng, 5),
            });
            grids.push(DemoGrid {
                code: c_code.clone(),
                parent: None,
                level: 1,
                name: c_name.clone(),
                kind: GridKind::Basic,
                households: 0,
                population: 0,
                ring: ring(ci0, cj0, ci0 + s.l2.0 * aw, cj0 + s.l2.1 * ah),
            });
            for ay in 0..s.l2.1 {
                for ax in 0..s.l2.0 {
                    let ai = ay * s.l2.0 + ax;
                    let a_code = c_code.child(ai as u32 + 1, 2);
                    let a_name = format!("{c_name}第{}片区", NUMERALS[ai % NUMERALS.len()]);
                    let (ai0, aj0) = (ci0 + ax * aw, cj0 + ay * ah);
                    let a_grid_pos = grids.len();
                    grids.push(DemoGrid {
                        code: a_code.clone(),
                        parent: Some(c_code.clone()),
                        level: 2,
                        name: a_name.clone(),
                        kind: GridKind::Basic,
                        households: 0,
                        population: 0,
                        ring: ring(ai0, aj0, ai0 + aw, aj0 + ah),
                    });
                    units.push(DemoUnit {
                        code: a_code.clone(),
                        parent: Some(c_code.clone()),
                        level: lv(2),
                        name: format!("{a_name}党支部"),
                        secretary: person(&mut rng),
                        phone: phone(&mut rng),
                        grid: Some(a_code.clone()),
                        term_start: term(&mut rng, 3),
                    });
                    let (mut a_house, mut a_pop) = (0, 0);
                    let mut seq = 0;
                    for row in 0..s.rows {
                        let extra = row + 1 == s.rows && area_index < s.areas_with_extra;
                        let cols = s.base_cols + usize::from(extra);
                        let w = aw / cols;
                        for col in 0..cols {
                            seq += 1;
                            grid_index += 1;
                            let g_code = a_code.child(seq, 3);
                            c_seq += 1;
                            // Most grids near the 300-household target; some over or under it, as in life.
                            let households = match rng.next() % 100 {
                                0..=11 => rng.range(370, 460),
                                12..=19 => rng.range(170, 230),
                                _ => rng.range(250, 350),
                            };
                            let population = households * rng.range(24, 30) / 10;
                            let dedicated = grid_index % 23 == 0;
                            let g_name = if dedicated {
                                format!(
                                    "{c_name}{}专属网格",
                                    ["学校", "医院", "产业园"][grid_index % 3]
                                )
                            } else {
                                format!("{c_name}第{c_seq}网格")
                            };
                            let (gi0, gj0) = (ai0 + col * w, aj0 + row * s.row_height);
                            let gi1 = if col + 1 == cols { ai0 + aw } else { gi0 + w };
                            grids.push(DemoGrid {
                                code: g_code.clone(),
                                parent: Some(a_code.clone()),
                                level: 3,
                                name: g_name.clone(),
                                kind: if dedicated {
                                    GridKind::Dedicated
                                } else {
                                    GridKind::Basic
                                },
                                households,
                                population,
                                ring: ring(gi0, gj0, gi1, gj0 + s.row_height),
                            });
                            a_house += households;
                            a_pop += population;
                            units.push(DemoUnit {
                                code: g_code.clone(),
                                parent: Some(a_code.clone()),
                                level: lv(3),
                                name: format!("{}号楼党小组", seq),
                                secretary: person(&mut rng),
                                phone: phone(&mut rng),
                                grid: Some(g_code.clone()),
                                term_start: term(&mut rng, 3),
                            });
                            let mut n = s.households_per_group.0;
                            if household_extra > 0 {
                                household_extra -= 1;
                                n += 1;
                            }
                            for h in 0..n {
                                let name = person(&mut rng);
                                units.push(DemoUnit {
                                    code: g_code.child(h as u32 + 1, 2),
                                    parent: Some(g_code.clone()),
                                    level: lv(4),
                                    name: format!("党员中心户（{name}家）"),
                                    secretary: name,
                                    phone: phone(&mut rng),
                                    grid: Some(g_code.clone()),
                                    term_start: term(&mut rng, 3),
                                });
                            }
                        }
                    }
                    area_index += 1;
                    grids[a_grid_pos].households = a_house;
                    grids[a_grid_pos].population = a_pop;
                    c_house += a_house;
                    c_pop += a_pop;
                }
            }
            grids[c_grid_pos].households = c_house;
            grids[c_grid_pos].population = c_pop;
        }
    }

    let events = demo_events(&s, &mut rng, today, &street_code, &communities);
    let first = &communities[0].0;
    let area = first.child(1, 2);
    let users = vec![
        DemoUser {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            role: crate::Role::Admin,
            scope: None,
        },
        DemoUser {
            username: "shuji".into(),
            display_name: format!("{}书记", communities[0].1),
            role: crate::Role::Organiser,
            scope: Some(first.clone()),
        },
        DemoUser {
            username: "wangge".into(),
            display_name: "网格员小王".into(),
            role: crate::Role::GridWorker,
            scope: Some(area),
        },
        DemoUser {
            username: "jumin".into(),
            display_name: "居民李阿姨".into(),
            role: crate::Role::Resident,
            scope: Some(first.clone()),
        },
    ];
    let areas: Vec<Code> = grids
        .iter()
        .filter(|g| g.level == 2)
        .map(|g| g.code.clone())
        .collect();
    let (staff, departments) =
        crate::demo_field::staff(&street_code, &street_name, &communities, &areas);
    let mut users = users;
    users.extend(staff);
    let service = crate::demo_service::history(first, today);
    District {
        street_name,
        street_code,
        grids,
        units,
        events,
        users,
        service,
        departments,
    }
}

fn demo_events(
    s: &Shape,
    rng: &mut Rng,
    today: i64,
    street: &Code,
    communities: &[(Code, String)],
) -> Vec<DemoEvent> {
    let (y, m, _) = civil_from_days(today);
    let month_start = ymd(days_from_civil(y, m, 15));
    let at = |day: &str, hm: &str| format!("{day}T{hm}");
    let mut ev = vec![DemoEvent {
        title: "集中服务日".into(),
        category: "service-day".into(),
        unit: street.clone(),
        location: "街道党群服务中心".into(),
        starts_at: at(&month_start, "09:00"),
        ends_at: at(&month_start, "11:30"),
        rrule: Some("FREQ=MONTHLY;BYMONTHDAY=15,25".into()),
        capacity: 50,
    }];
    let kinds: [(&str, &str, &str, i64); 5] = [
        (
            "微党课：学习党的二十大精神",
            "lecture",
            "党群服务站二楼",
            40,
        ),
        ("院坝会：加装电梯议事", "meeting", "小区中心花园", 60),
        ("义诊：老年人慢病筛查", "clinic", "卫生服务站", 80),
        ("志愿活动：垃圾分类宣传", "volunteer", "小区南门广场", 30),
        ("市民讲堂：防范电信诈骗", "lecture", "活动室", 50),
    ];
    // A weekly lecture in the first community, and one of each kind over the next weeks.
    let c0 = &communities[0];
    let weekly_day = ymd(today + 2);
    ev.push(DemoEvent {
        title: "周三微党课".into(),
        category: "lecture".into(),
        unit: c0.0.clone(),
        location: format!("{}党群服务站", c0.1),
        starts_at: at(&weekly_day, "19:00"),
        ends_at: at(&weekly_day, "20:00"),
        rrule: Some("FREQ=WEEKLY;COUNT=12".into()),
        capacity: 30,
    });
    for (k, (title, cat, place, cap)) in kinds.iter().enumerate() {
        let c = &communities[k % communities.len()];
        let day = ymd(today + 3 + 4 * k as i64);
        ev.push(DemoEvent {
            title: (*title).into(),
            category: (*cat).into(),
            unit: c.0.clone(),
            location: format!("{}{}", c.1, place),
            starts_at: at(&day, "14:30"),
            ends_at: at(&day, "16:30"),
            rrule: None,
            capacity: *cap,
        });
    }
    while ev.len() < s.events {
        let (title, cat, place, cap) = kinds[(rng.next() % kinds.len() as u64) as usize];
        let c = &communities[(rng.next() % communities.len() as u64) as usize];
        let day = ymd(today + rng.range(-60, 300));
        let hour = rng.range(8, 19);
        ev.push(DemoEvent {
            title: title.into(),
            category: cat.into(),
            unit: c.0.clone(),
            location: format!("{}{}", c.1, place),
            starts_at: at(&day, &format!("{hour:02}:00")),
            ends_at: at(&day, &format!("{:02}:30", hour + 1)),
            rrule: None,
            capacity: cap,
        });
    }
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    const TODAY: i64 = 20_779; // 2026-11-22

    fn shoelace(r: &[[f64; 2]]) -> f64 {
        r.windows(2)
            .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn same_input_same_district() {
        assert_eq!(generate(Scale::Small, TODAY), generate(Scale::Small, TODAY));
    }

    #[test]
    fn small_district_has_three_levels_and_all_roles() {
        let d = generate(Scale::Small, TODAY);
        let count = |l| d.grids.iter().filter(|g| g.level == l).count();
        assert_eq!((count(1), count(2), count(3)), (4, 8, 32));
        // The four to try first, then the street's staff: the street organiser, three more
        // communities' organisers, seven more areas' grid workers, five departments.
        assert_eq!(d.users.len(), 4 + 1 + 3 + 7 + 5);
        assert_eq!(d.departments.len(), 5);
        assert!(d
            .events
            .iter()
            .any(|e| e.rrule.as_deref() == Some("FREQ=MONTHLY;BYMONTHDAY=15,25")));
        for g in d.grids.iter().filter(|g| g.level == 3) {
            assert!((170..=460).contains(&g.households));
        }
    }

    /// Grids per level, 10,000 central households, 5,000 events; returns the other units' count.
    fn assert_documents_scale(scale: Scale, grids: (usize, usize, usize)) -> usize {
        let d = generate(scale, TODAY);
        let count = |l| d.grids.iter().filter(|g| g.level == l).count();
        assert_eq!((count(1), count(2), count(3)), grids);
        let households = d
            .units
            .iter()
            .filter(|u| u.level == "central-household")
            .count();
        assert_eq!(households, 10_000);
        assert_eq!(d.events.len(), 5000);
        d.units.len() - households
    }

    #[test]
    fn large_district_matches_the_seed_numbers() {
        let others = assert_documents_scale(Scale::Large, (72, 144, 1206));
        assert_eq!(others, 1 + 72 + 144 + 1206);
    }

    #[test]
    fn medium_district_has_guanchengs_basic_grids() {
        assert_documents_scale(Scale::Medium, (12, 144, 564));
    }

    #[test]
    fn grid_names_are_unique_and_loads_vary() {
        let d = generate(Scale::Large, TODAY);
        let names: HashSet<_> = d.grids.iter().map(|g| &g.name).collect();
        assert_eq!(names.len(), d.grids.len());
        let l3: Vec<_> = d.grids.iter().filter(|g| g.level == 3).collect();
        assert!(l3.iter().any(|g| g.households > 360) && l3.iter().any(|g| g.households < 240));
    }

    #[test]
    fn codes_are_unique_and_nest_in_their_parents() {
        let d = generate(Scale::Small, TODAY);
        let codes: HashSet<_> = d.grids.iter().map(|g| &g.code).collect();
        assert_eq!(codes.len(), d.grids.len());
        for g in &d.grids {
            if let Some(p) = &g.parent {
                assert!(codes.contains(p) && g.code.is_within(p) && g.code != *p);
            }
        }
        let units: HashSet<_> = d.units.iter().map(|u| &u.code).collect();
        assert_eq!(units.len(), d.units.len());
        let levels = LevelSet::five_level();
        let by_code: HashMap<_, _> = d.units.iter().map(|u| (&u.code, u)).collect();
        for u in &d.units {
            match &u.parent {
                Some(p) => assert!(levels.allows_child(&by_code[p].level, &u.level)),
                None => assert_eq!(u.level, levels.root().key),
            }
        }
    }

    #[test]
    fn children_tile_their_parent_exactly() {
        let d = generate(Scale::Small, TODAY);
        for parent in d.grids.iter().filter(|g| g.level < 3) {
            let a = shoelace(&parent.ring);
            assert!(a > 0.0, "rings are counter-clockwise");
            let sum: f64 = d
                .grids
                .iter()
                .filter(|g| g.parent.as_ref() == Some(&parent.code))
                .map(|g| shoelace(&g.ring))
                .sum();
            assert!(
                (sum - a).abs() < 1e-12,
                "{}: children {sum} vs parent {a}",
                parent.code
            );
            // Every vertex of the parent is a vertex of some child: shared boundaries are shared.
            let child_pts: HashSet<(u64, u64)> = d
                .grids
                .iter()
                .filter(|g| g.parent.as_ref() == Some(&parent.code))
                .flat_map(|g| g.ring.iter().map(|p| (p[0].to_bits(), p[1].to_bits())))
                .collect();
            for p in &parent.ring {
                assert!(child_pts.contains(&(p[0].to_bits(), p[1].to_bits())));
            }
        }
        let households: i64 = d
            .grids
            .iter()
            .filter(|g| g.level == 3)
            .map(|g| g.households)
            .sum();
        let top: i64 = d
            .grids
            .iter()
            .filter(|g| g.level == 1)
            .map(|g| g.households)
            .sum();
        assert_eq!(households, top);
    }
}
