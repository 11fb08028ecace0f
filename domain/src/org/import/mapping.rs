//! What an export's columns mean and what its type values are in Linli's levels. A 智慧党建 export
//! names its columns its own way (组织ID, 上级组织ID, 组织类别, 党员数 …) and its types its own way
//! (党委, 机关党委, 联合党支部 …): the mapping is guessed from the headers and values and then
//! corrected by the user, and `rows` turns each record into an `ImportRow` with the file's own
//! ids (`plan` numbers the units).

use super::*;

/// The things a record can say about a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Id,
    Name,
    Parent,
    Kind,
    Secretary,
    Phone,
    TermStart,
    Members,
    Grid,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Id,
        Field::Name,
        Field::Parent,
        Field::Kind,
        Field::Secretary,
        Field::Phone,
        Field::TermStart,
        Field::Members,
        Field::Grid,
    ];

    /// The key in translations (`org_import.field_<key>`) and on the wire.
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Parent => "parent",
            Field::Kind => "kind",
            Field::Secretary => "secretary",
            Field::Phone => "phone",
            Field::TermStart => "term_start",
            Field::Members => "members",
            Field::Grid => "grid",
        }
    }

    /// Without these a record says nothing usable.
    pub fn required(self) -> bool {
        matches!(self, Field::Id | Field::Name | Field::Kind)
    }

    /// Header names this field is recognised by, compared after `normal_header`; the first is the
    /// header Linli's own export writes.
    fn names(self) -> &'static [&'static str] {
        match self {
            Field::Id => &[
                "组织编码",
                "编码",
                "code",
                "组织id",
                "党组织id",
                "党组织编码",
                "组织代码",
                "id",
                "orgid",
                "orgcode",
                "deptid",
                "uuid",
            ],
            Field::Name => &[
                "名称",
                "组织名称",
                "党组织名称",
                "组织全称",
                "党组织全称",
                "name",
                "orgname",
                "fullname",
                "deptname",
            ],
            Field::Parent => &[
                "上级组织编码",
                "上级编码",
                "上级组织id",
                "上级党组织id",
                "上级党组织编码",
                "上级id",
                "父级id",
                "父组织id",
                "parentcode",
                "parent",
                "parentid",
                "pid",
                "parentorgid",
                "parentorgcode",
            ],
            Field::Kind => &[
                "层级",
                "类型",
                "级别",
                "组织类型",
                "组织类别",
                "党组织类型",
                "党组织类别",
                "level",
                "type",
                "orgtype",
                "category",
                "orgcategory",
                "kind",
            ],
            Field::Secretary => &[
                "书记",
                "书记姓名",
                "党组织书记",
                "secretary",
                "secretaryname",
                "leader",
                "leadername",
            ],
            Field::Phone => &[
                "联系电话",
                "书记电话",
                "书记联系电话",
                "电话",
                "手机",
                "手机号",
                "phone",
                "mobile",
                "tel",
                "telephone",
                "contactphone",
            ],
            Field::TermStart => &[
                "任期开始",
                "换届时间",
                "换届日期",
                "本届任期开始",
                "届期开始",
                "任期开始日期",
                "termstart",
                "electiondate",
                "termstartdate",
            ],
            Field::Members => &[
                "党员数",
                "党员人数",
                "党员总数",
                "人数",
                "membercount",
                "members",
                "partymembercount",
                "membernum",
            ],
            Field::Grid => &["网格编码", "所属网格", "网格", "gridcode", "grid"],
        }
    }
}

/// A header as compared: trimmed, lower case, without spaces, `_`, `-`, a BOM, a trailing `*`
/// (required-column marks) and bracketed units (`党员数（人）`).
fn normal_header(h: &str) -> String {
    let mut depth = 0usize;
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|&c| match c {
            '(' | '（' | '[' | '【' => {
                depth += 1;
                false
            }
            ')' | '）' | ']' | '】' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0 && !c.is_whitespace() && !matches!(c, '_' | '-' | '*'),
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which column holds each field, and which level each of the file's type values stands for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// Column index (into `Table::headers`) per field; fields not listed are not in the file.
    pub columns: Vec<(Field, usize)>,
    /// A type value as the file writes it (trimmed) and the level key it stands for; values not
    /// listed, or listed with an empty key, are not mapped yet.
    pub kinds: Vec<(String, String)>,
}

impl Mapping {
    pub fn column(&self, f: Field) -> Option<usize> {
        self.columns.iter().find(|(g, _)| *g == f).map(|(_, i)| *i)
    }

    /// Puts `f` in column `i` (or nowhere); a column holds one field.
    pub fn set_column(&mut self, f: Field, i: Option<usize>) {
        self.columns.retain(|(g, c)| *g != f && Some(*c) != i);
        if let Some(i) = i {
            self.columns.push((f, i));
            self.columns.sort();
        }
    }

    pub fn level_for(&self, value: &str) -> Option<&str> {
        let value = value.trim();
        self.kinds
            .iter()
            .find(|(v, l)| v == value && !l.is_empty())
            .map(|(_, l)| l.as_str())
    }

    pub fn set_kind(&mut self, value: &str, level: &str) {
        match self.kinds.iter_mut().find(|(v, _)| v == value) {
            Some(k) => k.1 = level.to_owned(),
            None => self.kinds.push((value.to_owned(), level.to_owned())),
        }
    }
}

impl Mapping {
    /// The mapping with every type value of the table's type column listed: values the user has
    /// not decided yet (after choosing another type column, say) get `guess_level`; decided ones,
    /// "not mapped" included, stay as they are.
    pub fn completed(mut self, table: &Table, levels: &LevelSet) -> Mapping {
        for (v, _) in kind_values(table, self.column(Field::Kind)) {
            if !self.kinds.iter().any(|(k, _)| *k == v) {
                let level = guess_level(levels, &v).unwrap_or_default();
                self.kinds.push((v, level));
            }
        }
        self
    }
}

/// The distinct values of column `i` with how many records use each, most used first.
pub fn kind_values(table: &Table, i: Option<usize>) -> Vec<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for r in &table.records {
        let v = table.cell(r, i);
        let n = counts.entry(v).or_insert(0);
        if *n == 0 {
            order.push(v);
        }
        *n += 1;
    }
    let mut out: Vec<(String, usize)> = order
        .into_iter()
        .map(|v| (v.to_owned(), counts[v]))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The level a type value most likely stands for: a level's key or name as written, else the
/// level whose Chinese name ends the value (机关党委 → 党委, 联合党支部 → 党支部), else the level
/// whose name and the value end in the same two characters (机关工委 → 党工委), longest names first.
pub fn guess_level(levels: &LevelSet, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Some(l) = levels
        .levels
        .iter()
        .find(|l| l.key == v || l.name_zh == v || l.name_en.eq_ignore_ascii_case(v))
    {
        return Some(l.key.clone());
    }
    let mut by_len: Vec<&Level> = levels.levels.iter().collect();
    by_len.sort_by_key(|l| std::cmp::Reverse(l.name_zh.chars().count()));
    if let Some(l) = by_len.iter().find(|l| v.ends_with(l.name_zh.as_str())) {
        return Some(l.key.clone());
    }
    let tail = |s: &str| -> String {
        let c: Vec<char> = s.chars().collect();
        c[c.len().saturating_sub(2)..].iter().collect()
    };
    let vt = tail(v);
    (vt.chars().count() == 2)
        .then(|| by_len.iter().find(|l| tail(&l.name_zh) == vt))
        .flatten()
        .map(|l| l.key.clone())
}

/// The mapping a file most likely means: each field in the first column whose header is one of
/// its names (the earlier name wins when several columns qualify), each type value to
/// `guess_level`.
pub fn guess(table: &Table, levels: &LevelSet) -> Mapping {
    let headers: Vec<String> = table.headers.iter().map(|h| normal_header(h)).collect();
    let mut m = Mapping::default();
    for f in Field::ALL {
        let found = f.names().iter().find_map(|n| {
            let n = normal_header(n);
            headers
                .iter()
                .enumerate()
                .find(|(i, h)| **h == n && !m.columns.iter().any(|(_, c)| c == i))
                .map(|(i, _)| i)
        });
        if let Some(i) = found {
            m.columns.push((f, i));
        }
    }
    m.columns.sort();
    for (v, _) in kind_values(table, m.column(Field::Kind)) {
        let level = guess_level(levels, &v).unwrap_or_default();
        m.kinds.push((v, level));
    }
    m
}

/// Parent ids that mean "no parent" in exports (a root's `parentId` is often 0 or -1).
const NO_PARENT: [&str; 4] = ["0", "-1", "null", "none"];

/// A date as exports write it — `2021-06-30`, `2021/6/30`, `2021.6.30`, `20210630`,
/// `2021-06-30 00:00:00`, or milliseconds since 1970 from a JSON API — as `YYYY-MM-DD`.
pub fn normal_date(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        let ms: i64 = s.parse().ok()?;
        let days = (ms / 1000 + crate::date::SHANGHAI_OFFSET_SECS).div_euclid(86_400);
        let (y, m, d) = crate::date::civil_from_days(days);
        return Some(format!("{y:04}-{m:02}-{d:02}"));
    }
    let day = s.split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = if day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit()) {
        vec![&day[0..4], &day[4..6], &day[6..8]]
    } else {
        day.split(['-', '/', '.'])
            .map(|p| p.trim_end_matches(['年', '月', '日']))
            .collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let out = format!("{y:04}-{m:02}-{d:02}");
    parse_date(&out).ok().map(|_| out)
}

/// Digits, and `+`, `-`, spaces and brackets between them; 5 to 20 digits.
fn phone_ok(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
}

/// The most party members one unit's record may report (a large district committee's own count
/// is in the tens of thousands).
pub const MAX_MEMBERS: i64 = 1_000_000;

/// Turns every record into an `ImportRow` under `mapping`: the unit's own data checked, its id and
/// parent id as the file writes them (`plan` resolves parents and numbers new units). Missing
/// required columns are a problem of the file.
pub fn rows(table: &Table, mapping: &Mapping, levels: &LevelSet) -> ImportPlan {
    let mut plan = ImportPlan::default();
    let missing: Vec<&str> = Field::ALL
        .iter()
        .filter(|f| f.required() && mapping.column(**f).is_none_or(|i| i >= table.headers.len()))
        .map(|f| f.names()[0])
        .collect();
    if !missing.is_empty() {
        plan.problems.push(problem(
            1,
            "org_import.header",
            &[("missing", &missing.join("、"))],
        ));
        return plan;
    }
    let ids: HashSet<&str> = table
        .records
        .iter()
        .map(|r| table.cell(r, mapping.column(Field::Id)))
        .collect();
    for r in &table.records {
        let line = r.line;
        let get = |f: Field| table.cell(r, mapping.column(f));
        let opt = |f: Field| Some(get(f)).filter(|s| !s.is_empty()).map(str::to_owned);
        let id = get(Field::Id).to_owned();
        if id.is_empty() || id.chars().count() > 64 || id.chars().any(char::is_control) {
            plan.problems.push(problem(line, "org_import.id", &[]));
        }
        let name = clean_name(get(Field::Name)).unwrap_or_else(|_| {
            plan.problems.push(problem(line, "org_import.name", &[]));
            String::new()
        });
        let kind = get(Field::Kind);
        let level = match mapping.level_for(kind).and_then(|l| levels.get(l)) {
            Some(l) => l.key.clone(),
            None => {
                plan.problems.push(problem(
                    line,
                    "org_import.unknown_level",
                    &[("level", kind)],
                ));
                String::new()
            }
        };
        let parent = opt(Field::Parent).filter(|p| {
            ids.contains(p.as_str()) || !NO_PARENT.contains(&p.to_lowercase().as_str())
        });
        let secretary = opt(Field::Secretary);
        if secretary
            .as_deref()
            .is_some_and(|s| clean_text(s, MAX_PERSON, false).is_none())
        {
            plan.problems
                .push(problem(line, "org_import.secretary", &[]));
        }
        let phone = opt(Field::Phone);
        if let Some(p) = &phone {
            if !phone_ok(p) {
                plan.problems
                    .push(problem(line, "org_import.phone", &[("phone", p)]));
            }
        }
        let term_start = opt(Field::TermStart).and_then(|d| {
            let n = normal_date(&d);
            if n.is_none() {
                plan.problems
                    .push(problem(line, "org_import.date", &[("date", &d)]));
            }
            n
        });
        let members = opt(Field::Members).and_then(|m| {
            let n = m
                .trim_end_matches('人')
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=MAX_MEMBERS).contains(n));
            if n.is_none() {
                plan.problems
                    .push(problem(line, "org_import.members", &[("members", &m)]));
            }
            n
        });
        let grid = opt(Field::Grid);
        if let Some(g) = &grid {
            if Code::parse(g).is_err() {
                plan.problems
                    .push(problem(line, "org_import.code", &[("code", g)]));
            }
        }
        plan.rows.push(ImportRow {
            line,
            source_id: id,
            source_parent: parent,
            code: String::new(),
            name,
            level,
            parent: None,
            secretary,
            phone,
            term_start,
            members,
            grid,
            update: false,
        });
    }
    plan
}

/// A table read under the mapping its headers and values suggest (Linli's own layout reads so
/// exactly), or the file's problem.
pub fn guessed(table: Result<Table, Problem>, levels: &LevelSet) -> ImportPlan {
    match table {
        Ok(t) => rows(&t, &guess(&t, levels), levels),
        Err(p) => ImportPlan {
            rows: Vec::new(),
            problems: vec![p],
        },
    }
}

/// `guessed` for a CSV text.
#[cfg(feature = "spreadsheet")]
pub fn read_csv(text: &str, levels: &LevelSet) -> ImportPlan {
    guessed(read_csv_table(text), levels)
}

/// `guessed` for an XLSX workbook.
#[cfg(feature = "spreadsheet")]
pub fn read_xlsx(bytes: &[u8], levels: &LevelSet) -> ImportPlan {
    guessed(read_xlsx_table(bytes), levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            headers: headers.iter().map(|s| s.to_string()).collect(),
            records: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Record {
                    line: i + 1,
                    cells: r.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn headers_and_type_values_are_guessed_as_exports_write_them() {
        let l = LevelSet::district_wide();
        let t = table(
            &[
                "orgId",
                "orgName",
                "parent_id",
                "组织类别",
                "书记姓名",
                "Member Count",
                "备注",
            ],
            &[
                &["1", "某区委", "0", "区委", "", "", ""],
                &["2", "区级机关工委", "1", "机关工委", "", "", ""],
                &["3", "区教育局党委", "2", "机关党委", "", "", ""],
                &["4", "某联合党支部", "3", "联合党支部", "", "", ""],
                &["5", "某党支部", "3", "党支部", "", "", ""],
                &["6", "某某", "3", "党组", "", "", ""],
            ],
        );
        let m = guess(&t, &l);
        assert_eq!(normal_header("党员数（人）"), "党员数");
        assert_eq!(normal_header(" Parent_ID *"), "parentid");
        assert_eq!(
            m.columns,
            vec![
                (Field::Id, 0),
                (Field::Name, 1),
                (Field::Parent, 2),
                (Field::Kind, 3),
                (Field::Secretary, 4),
                (Field::Members, 5),
            ]
        );
        let level = |v: &str| m.level_for(v).map(str::to_owned);
        assert_eq!(level("区委").as_deref(), Some("district-committee"));
        assert_eq!(level("机关工委").as_deref(), Some("working-committee"));
        assert_eq!(level("机关党委").as_deref(), Some("committee"));
        assert_eq!(level("联合党支部").as_deref(), Some("branch"));
        assert_eq!(level("党组"), None, "not a level: the user maps it");
        assert_eq!(
            m.kinds[0],
            ("党支部".to_owned(), "branch".to_owned()),
            "most used first"
        );
    }

    #[test]
    fn records_become_rows_with_their_own_data_checked() {
        let l = LevelSet::district_wide();
        let t = table(
            &["id", "name", "pid", "type", "phone", "换届日期", "党员数"],
            &[
                &[
                    "1",
                    "某区委",
                    "0",
                    "区委",
                    "025-8888 0000",
                    "2021/6/30",
                    "12000",
                ],
                &[
                    "2",
                    "甲党支部",
                    "1",
                    "党支部",
                    "1380013800a",
                    "20210631",
                    "十二",
                ],
                &["9", "乙党支部", "", "党支部", "", "1625011200000", ""],
                &["3", "", "-1", "乙", "", "", "35人"],
            ],
        );
        let p = rows(&t, &guess(&t, &l), &l);
        let keys: Vec<(usize, &str)> = p
            .problems
            .iter()
            .map(|p| (p.line, p.key.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                (2, "org_import.phone"),
                (2, "org_import.date"),
                (2, "org_import.members"),
                (4, "org_import.name"),
                (4, "org_import.unknown_level"),
            ]
        );
        assert_eq!(p.rows[0].source_parent, None, "0 means no parent");
        assert_eq!(p.rows[0].term_start.as_deref(), Some("2021-06-30"));
        assert_eq!(p.rows[0].members, Some(12_000));
        assert_eq!(
            p.rows[2].term_start.as_deref(),
            Some("2021-06-30"),
            "ms since 1970"
        );
        assert_eq!(p.rows[1].source_parent.as_deref(), Some("1"));
        assert_eq!(p.rows[3].source_parent, None);
        assert_eq!(p.rows[3].members, Some(35));
        let mut m = guess(&t, &l);
        m.set_column(Field::Kind, None);
        let p = rows(&t, &m, &l);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].key, "org_import.header");
        assert_eq!(p.problems[0].args[0].1, "层级");
    }

    #[test]
    fn choosing_another_type_column_guesses_its_values_and_keeps_decisions() {
        let l = LevelSet::district_wide();
        let t = table(
            &["id", "name", "type", "类别"],
            &[&["1", "甲", "x", "党委"], &["2", "乙", "y", "党支部"]],
        );
        let mut m = guess(&t, &l);
        m.set_kind("x", "committee");
        m.set_column(Field::Kind, Some(3));
        m.set_kind("党支部", "");
        let m = m.completed(&t, &l);
        assert_eq!(m.level_for("党委"), Some("committee"));
        assert_eq!(
            m.level_for("党支部"),
            None,
            "the user's \"not mapped\" stays"
        );
        assert_eq!(m.level_for("x"), Some("committee"));
    }

    #[test]
    fn set_column_keeps_one_field_per_column() {
        let mut m = Mapping::default();
        m.set_column(Field::Id, Some(0));
        m.set_column(Field::Name, Some(0));
        assert_eq!(m.columns, vec![(Field::Name, 0)]);
        m.set_column(Field::Name, None);
        assert!(m.columns.is_empty());
    }
}
